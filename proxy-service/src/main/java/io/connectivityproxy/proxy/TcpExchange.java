package io.connectivityproxy.proxy;

import java.util.Locale;

import org.jboss.logging.Logger;

import io.connectivityproxy.cluster.SessionKey;
import io.connectivityproxy.protocol.Ids;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.protocol.http.Fields;
import io.connectivityproxy.protocol.http.Http1Request;
import io.connectivityproxy.proxy.auth.ProxyAuthorization;
import io.connectivityproxy.proxy.socks.Socks5Handshake;
import io.connectivityproxy.stream.StreamException;
import io.connectivityproxy.stream.TcpRelay;
import io.connectivityproxy.stream.TunnelStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * Raw byte streams through the tunnel: a SOCKS5 CONNECT (ports 20004 and 20001) or an HTTP
 * CONNECT (port 20003). Opens the stream, answers the client in its own protocol, then relays
 * bytes with half-close in both directions.
 */
final class TcpExchange {

    private static final Logger LOG = Logger.getLogger(TcpExchange.class);

    private final Vertx vertx;
    private final TunnelClient tunnel;
    private final ProxySettings settings;
    private final ProxyMetrics metrics;
    private final ProxyAuthorization authorization;

    TcpExchange(
            Vertx vertx,
            TunnelClient tunnel,
            ProxySettings settings,
            ProxyMetrics metrics,
            ProxyAuthorization authorization) {
        this.authorization = authorization;
        this.vertx = vertx;
        this.tunnel = tunnel;
        this.settings = settings;
        this.metrics = metrics;
    }

    /**
     * A SOCKS5 CONNECT that finished its handshake; the socket is paused. {@code authorizationRequired}:
     * the server checks the method 0x80 token (a refused one gets reply 0x05).
     */
    void socks(
            NetSocket socket,
            Context context,
            TargetProtocol protocol,
            Socks5Handshake.Connect request,
            byte[] earlyData,
            boolean authorizationRequired) {
        authorization
                .socks(request.token(), authorizationRequired)
                .recover(e -> Future.failedFuture(new StreamException(Reason.UNAUTHORIZED, e.getMessage())))
                .compose(subaccount ->
                        open(context, protocol, request.host(), request.port(), subaccount, request.locationId()))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        Reason reason = ar.cause() instanceof StreamException e ? e.reason() : Reason.INTERNAL;
                        LOG.debugf(
                                "SOCKS5 CONNECT %s:%d refused: %s",
                                request.host(), request.port(), ar.cause().getMessage());
                        socket.write(Buffer.buffer(Socks5Handshake.reply(ClientErrors.socksReply(reason))))
                                .onComplete(v -> socket.close());
                        return;
                    }
                    TunnelStream stream = ar.result();
                    socket.write(Buffer.buffer(Socks5Handshake.reply(Socks5Handshake.REPLY_SUCCEEDED)));
                    if (earlyData.length > 0) {
                        stream.write(Buffer.buffer(earlyData));
                    }
                    TcpRelay.bridge(socket, stream, metrics::bytesToBackend, metrics::bytesToClient, () -> {});
                });
    }

    /** An HTTP CONNECT request on the HTTP proxy port: allowed for mappings of protocol TCP only. */
    void connect(ClientConnection connection, Http1Request request) {
        String authority = request.target();
        int colon = authority.lastIndexOf(':');
        int port = -1;
        if (colon > 0) {
            try {
                port = Integer.parseInt(authority.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        String host = colon > 0 ? authority.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean unreadBody =
                Fields.has(request.fields(), "content-length") || Fields.has(request.fields(), "transfer-encoding");
        if (host.isEmpty() || port < 1 || port > 65535 || host.contains("/") || host.contains("@")) {
            connection.reply(400, "CONNECT needs a host:port target, got '" + authority + "'", true);
            return;
        }
        String location = HttpExchange.location(request);
        if (!Ids.valid(location)) {
            connection.reply(400, "invalid " + HttpExchange.LOCATION_HEADER + " header", true);
            return;
        }
        if (unreadBody) {
            connection.reply(400, "a CONNECT request must not have a body", true);
            return;
        }
        String target = host.toLowerCase(Locale.ROOT) + ":" + port;
        boolean[] clientGone = {false};
        connection.onClientClosed(() -> clientGone[0] = true);
        Context context = vertx.getOrCreateContext();
        String targetHost = host;
        int targetPort = port;
        authorization
                .http(request.fields(), settings.http().authorizationEnabled())
                .compose(subaccount -> open(context, TargetProtocol.TCP, targetHost, targetPort, subaccount, location))
                .onComplete(ar -> {
                    if (clientGone[0] || connection.closed()) {
                        if (ar.succeeded()) {
                            ar.result().reset(Reason.CANCELLED, "the client closed the connection");
                        }
                        return;
                    }
                    if (ar.failed() && ar.cause() instanceof ProxyAuthorization.Refused) {
                        HttpExchange.refuse(connection, ar.cause(), true);
                        return;
                    }
                    if (ar.failed()) {
                        Reason reason = ar.cause() instanceof StreamException e ? e.reason() : Reason.INTERNAL;
                        if (reason == Reason.PROTOCOL_NOT_ALLOWED) {
                            connection.reply(
                                    405,
                                    "CONNECT is only allowed for connector mappings of protocol TCP: "
                                            + ar.cause().getMessage(),
                                    true);
                        } else {
                            connection.reply(
                                    ClientErrors.httpStatus(reason), ar.cause().getMessage(), true);
                        }
                        return;
                    }
                    TunnelStream stream = ar.result();
                    connection.onClientClosed(() -> {});
                    NetSocket socket = connection.socket;
                    socket.write(Buffer.buffer("HTTP/1.1 200 Connection established\r\n\r\n"));
                    Buffer early = connection.reader.detach();
                    if (early.length() > 0) {
                        metrics.bytesToBackend(early.length());
                        stream.write(early);
                    }
                    LOG.debugf("CONNECT %s established", target);
                    TcpRelay.bridge(socket, stream, metrics::bytesToBackend, metrics::bytesToClient, () -> {});
                });
    }

    /** Opens a TCP, RFC or LDAP stream for the location; fails with a StreamException carrying the reason. */
    private Future<TunnelStream> open(
            Context context, TargetProtocol protocol, String host, int port, String subaccount, String location) {
        SessionKey key = new SessionKey(subaccount, location);
        long started = System.nanoTime();
        String node = tunnel.pickNode(key);
        if (node == null) {
            metrics.openFailed(key.subaccount(), Reason.NO_SESSION, started);
            return Future.failedFuture(new StreamException(
                    Reason.NO_SESSION,
                    "No connector connected for subaccount " + key.subaccount() + " and location "
                            + (location.isEmpty() ? "(default)" : location)));
        }
        TunnelStream stream = tunnel.open(context, node, key, protocol, host, port, new byte[0]);
        metrics.streamFor(key.subaccount());
        long timer = vertx.setTimer(settings.openTimeout().toMillis(), t -> {
            if (stream.state() == TunnelStream.State.OPENING) {
                stream.reset(Reason.TIMEOUT, "no answer from the connector within " + settings.openTimeout());
            }
        });
        return stream.opened().onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                metrics.opened(started);
            } else {
                metrics.openFailed(
                        key.subaccount(),
                        ar.cause() instanceof StreamException e ? e.reason() : Reason.INTERNAL,
                        started);
            }
        });
    }
}
