package io.connectivityproxy.proxy;

import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.connectivityproxy.protocol.http.Http1Request;
import io.connectivityproxy.proxy.auth.ProxyAuthorization;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * The HTTP forward proxy (SAP's port 20003) on plain TCP with the project's own HTTP/1.1 codec,
 * so that every byte of a message is under this proxy's control: absolute-form requests are
 * carried to a connector as one stream each, CONNECT becomes a byte tunnel, and what cannot be
 * forwarded gets a status with a reason.
 */
final class HttpProxyServer {

    private static final Logger LOG = Logger.getLogger(HttpProxyServer.class);

    private final Vertx vertx;
    private final ProxySettings settings;
    private final TunnelClient tunnel;
    private final ProxyMetrics metrics;
    private final TcpExchange tcp;
    private NetServer server;

    private final ProxyAuthorization authorization;

    HttpProxyServer(
            Vertx vertx,
            ProxySettings settings,
            TunnelClient tunnel,
            ProxyMetrics metrics,
            ProxyAuthorization authorization,
            TcpExchange tcp) {
        this.vertx = vertx;
        this.settings = settings;
        this.tunnel = tunnel;
        this.metrics = metrics;
        this.authorization = authorization;
        this.tcp = tcp;
    }

    void start() throws Exception {
        NetServerOptions options = new NetServerOptions()
                .setHost(settings.host())
                .setPort(settings.http().port())
                .setIdleTimeout((int) settings.http().idleTimeout().toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setTcpNoDelay(true);
        server = vertx.createNetServer(options).connectHandler(this::accept);
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.infof("HTTP proxy listening on %s:%d", settings.host(), server.actualPort());
    }

    void stop() {
        if (server != null) {
            server.close();
        }
    }

    int port() {
        return server == null ? -1 : server.actualPort();
    }

    private void accept(NetSocket socket) {
        new ClientConnection(vertx, socket, settings, this::exchange).start();
    }

    private void exchange(ClientConnection connection, Http1Request request, byte[] head) {
        if (request.method().equals("CONNECT")) {
            tcp.connect(connection, request);
            return;
        }
        new HttpExchange(connection, request, head, tunnel, settings, metrics, authorization).start();
    }
}
