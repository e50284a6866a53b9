package io.connectivityproxy.connector;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.stream.StreamException;
import io.connectivityproxy.stream.TcpRelay;
import io.connectivityproxy.stream.TunnelStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * One service channel: listens on its local address, and turns every on-premise client
 * connection into one tunnel stream to the cluster service tunnel-service maps its service id to,
 * with back-pressure and half-close both ways (TcpRelay). A connection the cloud refuses is
 * closed; each distinct cause is logged once, and counted in metrics every time.
 */
final class ServiceChannel {

    private static final Logger LOG = Logger.getLogger(ServiceChannel.class);

    /** Opens a service-channel stream on one of the connector's sessions. */
    @FunctionalInterface
    interface Opener {
        /** Completes on {@code context} with the stream (OPEN not yet answered), or fails with NO_SESSION. */
        Future<TunnelStream> open(Context context, TargetProtocol type, String serviceId);
    }

    /** The last refusal, for logs (once per cause), readiness details and the admin view. */
    record Refusal(Reason reason, String message, Instant at) {
        String cause() {
            return reason + ": " + message;
        }
    }

    /** One client connection and its stream, for the admin view. */
    static final class Connection {
        final String client;
        final Instant since = Instant.now();
        final AtomicLong toCloud = new AtomicLong();
        final AtomicLong fromCloud = new AtomicLong();
        volatile int streamId;

        Connection(String client) {
            this.client = client;
        }
    }

    private final Vertx vertx;
    private final ConnectorMetrics connectorMetrics;
    private final Opener opener;
    private volatile ChannelSettings settings;
    private volatile ConnectorMetrics.ChannelMeters metrics;
    /** Set while the channel is removed from the file but still carries connections; run once they have ended. */
    private Runnable retired;

    private final AtomicInteger open = new AtomicInteger();
    private final Map<Connection, Boolean> connections = new ConcurrentHashMap<>();
    private final Map<Reason, AtomicLong> refusals = new ConcurrentHashMap<>();
    private volatile NetServer server;
    private volatile String state;
    private volatile Refusal lastRefusal;
    /** True after a refusal until a connection gets through again (so recovery is logged once too). */
    private boolean failing;
    /** Causes logged since the last connection that went through; each is logged once (bounded). */
    private final java.util.Set<String> loggedCauses = new java.util.HashSet<>();

    ServiceChannel(Vertx vertx, ChannelSettings settings, Opener opener, ConnectorMetrics metrics) {
        this.vertx = vertx;
        this.settings = settings;
        this.opener = opener;
        this.state = settings.enabled() ? "starting" : "disabled";
        this.connectorMetrics = metrics;
        this.metrics = metrics.channel(settings, open::get);
    }

    /**
     * Applies a changed entry for the same listen address (a changed file): new connections get
     * the new service id, type and limit; open ones carry on. A retiring channel listens again.
     */
    synchronized void update(ChannelSettings next) {
        ChannelSettings before = settings;
        if (!before.serviceId().equals(next.serviceId())) {
            metrics.remove();
            metrics = connectorMetrics.channel(next, open::get);
        }
        settings = next;
        if (retired != null) {
            retired = null;
            state = server == null ? state : "listening";
            LOG.infof("service channel %s is back in the configuration", next.describe());
        } else {
            LOG.infof("service channel %s changed (was %s)", next.describe(), before.describe());
        }
    }

    /**
     * The entry left the file: new connections are closed at once, the open ones are left to
     * finish, and when the last has ended the listener closes and {@code whenGone} runs. (Vert.x
     * closes a server's accepted connections with it, so the listener stays bound until then.)
     */
    synchronized void retire(Runnable whenGone) {
        retired = whenGone;
        if (server != null) {
            state = "removed; closing after its open connections";
            LOG.infof(
                    "service channel %s was removed from the configuration; %d open connection(s) may finish, "
                            + "new ones are refused",
                    settings.describe(), open.get());
        }
        closeIfRetiredAndIdle();
    }

    private void closeIfRetiredAndIdle() {
        Runnable gone;
        synchronized (this) {
            if (retired == null || open.get() > 0) {
                return;
            }
            gone = retired;
            retired = null;
        }
        metrics.remove();
        stop().onComplete(done -> {
            if (settings.enabled()) {
                LOG.infof("service channel %s stopped listening", settings.describe());
            }
            gone.run();
        });
    }

    synchronized boolean retiring() {
        return retired != null;
    }

    ChannelSettings settings() {
        return settings;
    }

    /** Starts listening (a disabled channel does nothing); never fails: a bind error is logged and shown as the state. */
    Future<Void> start() {
        if (!settings.enabled()) {
            LOG.infof("service channel %s is disabled", settings.describe());
            return Future.succeededFuture();
        }
        NetServer listener = vertx.createNetServer(new NetServerOptions()
                .setHost(settings.localHost())
                .setPort(settings.localPort())
                .setTcpNoDelay(true));
        listener.connectHandler(this::accept);
        return listener.listen()
                .map(bound -> {
                    server = bound;
                    state = "listening";
                    LOG.infof("service channel %s listening", settings.describe());
                    return (Void) null;
                })
                .recover(e -> {
                    state = "cannot listen: " + e.getMessage();
                    LOG.errorf(
                            "service channel %s cannot listen on %s: %s",
                            settings.serviceId(), settings.listenAddress(), e.getMessage());
                    return Future.succeededFuture();
                });
    }

    Future<Void> stop() {
        NetServer listening = server;
        server = null;
        state = settings.enabled() ? "stopped" : "disabled";
        return listening == null ? Future.succeededFuture() : listening.close();
    }

    private void accept(NetSocket socket) {
        if (retiring()) {
            socket.close();
            return;
        }
        // Paused until the cloud answers; a client that sends and half-closes at once loses nothing.
        TcpRelay.Held held = TcpRelay.hold(socket);
        Connection connection = new Connection(String.valueOf(socket.remoteAddress()));
        ChannelSettings settings = this.settings;
        metrics.connection();
        if (open.incrementAndGet() > settings.maxConnections()) {
            open.decrementAndGet();
            refused(
                    Reason.TOO_MANY_STREAMS,
                    "the channel already carries its maxConnections (" + settings.maxConnections() + ") connections");
            socket.close();
            return;
        }
        connections.put(connection, Boolean.TRUE);
        Runnable released = () -> {
            if (connections.remove(connection) != null) {
                open.decrementAndGet();
                closeIfRetiredAndIdle();
            }
        };
        Context context = vertx.getOrCreateContext();
        // The client may give up while the cloud is still answering: then the stream is reset.
        TunnelStream[] pending = new TunnelStream[1];
        boolean[] clientGone = new boolean[1];
        socket.closeHandler(v -> {
            clientGone[0] = true;
            if (pending[0] != null) {
                pending[0].reset(Reason.CANCELLED, "the on-premise client closed the connection");
            }
            released.run();
        });
        opener.open(context, settings.type(), settings.serviceId())
                .compose(stream -> {
                    pending[0] = stream;
                    connection.streamId = stream.id();
                    if (clientGone[0]) {
                        stream.reset(Reason.CANCELLED, "the on-premise client closed the connection");
                    }
                    return stream.opened();
                })
                .onComplete(ar -> {
                    if (ar.failed()) {
                        Reason reason = ar.cause() instanceof StreamException e ? e.reason() : Reason.INTERNAL;
                        if (!clientGone[0] && reason != Reason.CANCELLED) {
                            refused(reason, ar.cause().getMessage());
                        }
                        socket.close();
                        released.run();
                        return;
                    }
                    if (clientGone[0]) {
                        return;
                    }
                    accepted();
                    TcpRelay.bridge(
                            held,
                            ar.result(),
                            n -> {
                                connection.toCloud.addAndGet(n);
                                metrics.bytes(n, true);
                            },
                            n -> {
                                connection.fromCloud.addAndGet(n);
                                metrics.bytes(n, false);
                            },
                            released);
                });
    }

    private synchronized void accepted() {
        loggedCauses.clear();
        if (failing) {
            failing = false;
            LOG.infof("service channel %s: connections go through again", settings.describe());
        }
    }

    private void refused(Reason reason, String message) {
        metrics.refused(reason);
        refusals.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
        Refusal refusal = new Refusal(reason, message, Instant.now());
        boolean firstTime;
        synchronized (this) {
            lastRefusal = refusal;
            failing = true;
            // Alternating causes must not flood the log either; past the bound, nothing new is logged.
            firstTime = loggedCauses.size() < 64 && loggedCauses.add(refusal.cause());
        }
        if (firstTime) {
            LOG.warnf(
                    "service channel %s: connection refused: %s (%s); the same cause again is counted in "
                            + "cp_connector_channel_refusals_total, not logged",
                    settings.describe(), message, reason);
        }
    }

    /** One line for the readiness details. */
    String status() {
        Refusal refusal = lastRefusal;
        boolean stillFailing;
        synchronized (this) {
            stillFailing = failing;
        }
        return state + (stillFailing && refusal != null ? "; last connection refused: " + refusal.cause() : "") + "; "
                + open.get() + " open";
    }

    String state() {
        return state;
    }

    int openConnections() {
        return open.get();
    }

    List<Connection> connections() {
        return new ArrayList<>(connections.keySet());
    }

    Map<Reason, Long> refusals() {
        Map<Reason, Long> out = new java.util.TreeMap<>();
        refusals.forEach((reason, count) -> out.put(reason, count.get()));
        return out;
    }

    Refusal lastRefusal() {
        return lastRefusal;
    }
}
