package io.connectivityproxy.connector;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.connectivityproxy.connector.principal.UserCredential;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.stream.http.Http1Reader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * Keep-alive connections to HTTP and HTTPS backends, per internal host, port and protocol. A
 * connection returns here only after an exchange that left it in sync (whole request sent,
 * whole response read, nothing extra buffered, the backend did not ask to close); an idle one
 * closes after {@link #IDLE_TIMEOUT_MS} or when the backend closes it.
 */
final class BackendPool {

    /** How long an unused connection stays open (what Vert.x's HTTP client keeps by default). */
    static final long IDLE_TIMEOUT_MS = 60_000;
    /** Idle connections kept per backend; more are closed when they come back. */
    static final int MAX_IDLE = 256;

    /** One connection to a backend, with the reader that owns its input. */
    static final class Connection {
        final NetSocket socket;
        final Http1Reader reader;
        final String key;
        boolean closed;
        boolean reused;
        long idleTimer = -1;

        Connection(NetSocket socket, String key) {
            this.socket = socket;
            this.key = key;
            this.reader = new Http1Reader(socket);
        }
    }

    /** A user certificate's TLS client stays this long after the certificate expired, for streams still on it. */
    static final long USER_CLIENT_GRACE_MS = 60_000;

    private final Vertx vertx;
    private final ConnectorMetrics metrics;
    private final NetClient plain;
    private final NetClient tls;
    private final NetClientOptions tlsOptions;
    private final Map<String, ArrayDeque<Connection>> idle = new HashMap<>();
    /** TLS clients that present a propagated user's certificate, by credential id. */
    private final Map<String, NetClient> userClients = new ConcurrentHashMap<>();

    BackendPool(Vertx vertx, ConnectorMetrics metrics, NetClient plain, NetClient tls, NetClientOptions tlsOptions) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.plain = plain;
        this.tls = tls;
        this.tlsOptions = tlsOptions;
    }

    /** An idle connection to the mapping's backend, or a new one. Runs on the caller's event loop. */
    Future<Connection> acquire(AccessControlList.Mapping mapping) {
        return acquire(mapping, null, false);
    }

    /**
     * The same for a propagated user: towards an HTTPS backend the connection presents the user's
     * certificate, and only that user's exchanges reuse it. {@code user} null: no client certificate.
     */
    Future<Connection> acquire(AccessControlList.Mapping mapping, UserCredential user) {
        return acquire(mapping, user, false);
    }

    /** A new connection, never an idle one (a retry after a kept-alive one failed). */
    Future<Connection> connect(AccessControlList.Mapping mapping, UserCredential user) {
        return acquire(mapping, user, true);
    }

    private Future<Connection> acquire(AccessControlList.Mapping mapping, UserCredential user, boolean fresh) {
        boolean secure = mapping.protocol() == TargetProtocol.HTTPS;
        boolean asUser = secure && user != null;
        // Per event loop too: a connection is used only on the context it was made on.
        String key = System.identityHashCode(vertx.getOrCreateContext()) + "|" + (secure ? "https://" : "http://")
                + mapping.internalHost() + ":" + mapping.internalPort() + (asUser ? "|user " + user.id() : "");
        synchronized (idle) {
            ArrayDeque<Connection> free = idle.get(key);
            while (!fresh && free != null && !free.isEmpty()) {
                Connection connection = free.pollLast();
                if (!connection.closed && connection.reader.buffered() == 0 && !connection.reader.ended()) {
                    vertx.cancelTimer(connection.idleTimer);
                    connection.reused = true;
                    metrics.backendConnectionReused();
                    return Future.succeededFuture(connection);
                }
                connection.socket.close();
            }
        }
        NetClient client = asUser ? userClient(user) : secure ? tls : plain;
        Future<NetSocket> connected = secure
                ? client.connect(mapping.internalPort(), mapping.internalHost(), mapping.internalHost())
                : client.connect(mapping.internalPort(), mapping.internalHost());
        return connected.map(socket -> {
            if (socket instanceof NetSocketInternal internal) {
                // A failed write (the backend closed without reading a body it answered early)
                // must not close the socket before its answer, already in the kernel, is read.
                internal.channelHandlerContext().channel().config().setAutoClose(false);
            }
            metrics.backendConnectionOpened();
            Connection connection = new Connection(socket, key);
            socket.closeHandler(v -> connection.closed = true);
            return connection;
        });
    }

    /**
     * The TLS client that presents {@code user}'s certificate: made on first use, closed (with its
     * connections) a grace period after the certificate expired.
     */
    private NetClient userClient(UserCredential user) {
        return userClients.computeIfAbsent(user.id(), id -> {
            NetClientOptions options = new NetClientOptions(tlsOptions)
                    .setKeyCertOptions(new PemKeyCertOptions()
                            .addCertValue(Buffer.buffer(user.certificatePem()))
                            .addKeyValue(Buffer.buffer(user.keyPem())));
            NetClient client = vertx.createNetClient(options);
            long closeIn =
                    Math.max(1, user.notAfter().toEpochMilli() - System.currentTimeMillis()) + USER_CLIENT_GRACE_MS;
            vertx.setTimer(closeIn, t -> {
                userClients.remove(id, client);
                client.close();
            });
            return client;
        });
    }

    /** TLS clients of user certificates open now. */
    int userClients() {
        return userClients.size();
    }

    /** Takes back a connection whose exchange completed in sync. */
    void release(Connection connection) {
        if (connection.closed) {
            return;
        }
        synchronized (idle) {
            ArrayDeque<Connection> free = idle.computeIfAbsent(connection.key, k -> new ArrayDeque<>());
            if (free.size() >= MAX_IDLE) {
                connection.socket.close();
                return;
            }
            free.addLast(connection);
        }
        connection.socket.closeHandler(v -> {
            connection.closed = true;
            synchronized (idle) {
                ArrayDeque<Connection> free = idle.get(connection.key);
                if (free != null) {
                    free.remove(connection);
                }
            }
        });
        connection.socket.exceptionHandler(e -> connection.socket.close());
        connection.idleTimer = vertx.setTimer(IDLE_TIMEOUT_MS, t -> connection.socket.close());
    }
}
