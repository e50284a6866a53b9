package io.connectivityproxy.proxy;

import java.util.Locale;

import org.jboss.logging.Logger;

import io.connectivityproxy.cluster.SessionKey;
import io.connectivityproxy.protocol.Ids;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.proxy.socks.Socks5Handshake;
import io.connectivityproxy.stream.StreamException;
import io.connectivityproxy.stream.TcpRelay;
import io.connectivityproxy.stream.TunnelStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
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

    TcpExchange(Vertx vertx, TunnelClient tunnel, ProxySettings settings, ProxyMetrics metrics) {
        this.vertx = vertx;
        this.tunnel = tunnel;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** A SOCKS5 CONNECT that finished its handshake; the socket is paused. */
    void socks(NetSocket socket, Context context, TargetProtocol protocol, Socks5Handshake.Connect request,
            byte[] earlyData) {
        open(context, protocol, request.host(), request.port(), request.locationId()).onComplete(ar -> {
            if (ar.failed()) {
                Reason reason = ar.cause() instanceof StreamException e ? e.reason() : Reason.INTERNAL;
                LOG.debugf("SOCKS5 CONNECT %s:%d refused: %s", request.host(), request.port(), ar.cause().getMessage());
                socket.write(Buffer.buffer(Socks5Handshake.reply(ClientErrors.socksReply(reason))))
                        .onComplete(v -> socket.close());
                return;
            }
            TunnelStream stream = ar.result();
            socket.write(Buffer.buffer(Socks5Handshake.reply(Socks5Handshake.REPLY_SUCCEEDED)));
            if (earlyData.length > 0) {
                stream.write(Buffer.buffer(earlyData));
            }
            TcpRelay.bridge(socket, stream, metrics::bytesToBackend, metrics::bytesToClient, () -> { });
        });
    }

    /** An HTTP CONNECT request on the HTTP proxy port: allowed for mappings of protocol TCP only. */
    void connect(HttpServerRequest request) {
        String authority = request.uri();
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
        if (host.isEmpty() || port < 1 || port > 65535) {
            error(request, 400, "CONNECT needs a host:port target, got '" + authority + "'");
            return;
        }
        String location = request.getHeader(HttpExchange.LOCATION_HEADER);
        location = location == null ? "" : location.trim();
        if (!Ids.valid(location)) {
            error(request, 400, "invalid " + HttpExchange.LOCATION_HEADER + " header");
            return;
        }
        request.pause();
        String target = host.toLowerCase(Locale.ROOT) + ":" + port;
        open(vertx.getOrCreateContext(), TargetProtocol.TCP, host, port, location).onComplete(ar -> {
            if (ar.failed()) {
                Reason reason = ar.cause() instanceof StreamException e ? e.reason() : Reason.INTERNAL;
                if (reason == Reason.PROTOCOL_NOT_ALLOWED) {
                    error(request, 405, "CONNECT is only allowed for connector mappings of protocol TCP: "
                            + ar.cause().getMessage());
                } else {
                    error(request, ClientErrors.httpStatus(reason), ar.cause().getMessage());
                }
                return;
            }
            TunnelStream stream = ar.result();
            request.toNetSocket().onComplete(socket -> {
                if (socket.failed()) {
                    stream.reset(Reason.CANCELLED, "the client's CONNECT failed: " + socket.cause().getMessage());
                    return;
                }
                LOG.debugf("CONNECT %s established", target);
                TcpRelay.bridge(socket.result(), stream, metrics::bytesToBackend, metrics::bytesToClient, () -> { });
            });
        });
    }

    /** Opens a TCP, RFC or LDAP stream for the location; fails with a StreamException carrying the reason. */
    private Future<TunnelStream> open(Context context, TargetProtocol protocol, String host, int port,
            String location) {
        SessionKey key = new SessionKey(settings.subaccount(), location);
        long started = System.nanoTime();
        String node = tunnel.pickNode(key);
        if (node == null) {
            metrics.openFailed(Reason.NO_SESSION, started);
            return Future.failedFuture(new StreamException(Reason.NO_SESSION, "No connector connected for subaccount "
                    + key.subaccount() + " and location " + (location.isEmpty() ? "(default)" : location)));
        }
        TunnelStream stream = tunnel.open(context, node, key, protocol, host, port, new byte[0]);
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
                metrics.openFailed(ar.cause() instanceof StreamException e ? e.reason() : Reason.INTERNAL, started);
            }
        });
    }

    private static void error(HttpServerRequest request, int status, String message) {
        request.resume();
        request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Connection", "close").end(message + "\n");
    }
}
