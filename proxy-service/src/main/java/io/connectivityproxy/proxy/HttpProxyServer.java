package io.connectivityproxy.proxy;

import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The HTTP forward proxy (SAP's port 20003): absolute-form requests are carried to a connector
 * as one stream each; malformed or oversized requests get 400 or 431 with a reason.
 */
final class HttpProxyServer {

    private static final Logger LOG = Logger.getLogger(HttpProxyServer.class);

    private final Vertx vertx;
    private final ProxySettings settings;
    private final TunnelClient tunnel;
    private final ProxyMetrics metrics;
    private final TcpExchange tcp;
    private HttpServer server;

    HttpProxyServer(Vertx vertx, ProxySettings settings, TunnelClient tunnel, ProxyMetrics metrics) {
        this.vertx = vertx;
        this.settings = settings;
        this.tunnel = tunnel;
        this.metrics = metrics;
        this.tcp = new TcpExchange(vertx, tunnel, settings, metrics);
    }

    void start() throws Exception {
        ProxySettings.Http http = settings.http();
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(http.port())
                .setMaxInitialLineLength(http.maxHeaderSize())
                .setMaxHeaderSize(http.maxHeaderSize())
                .setIdleTimeout((int) http.idleTimeout().toSeconds())
                .setTcpNoDelay(true)
                // Request body chunks as large as a socket read (Netty's default is 8 KiB): each
                // becomes one DATA frame, and small ones multiply the per-frame work on every hop.
                .setMaxChunkSize(64 * 1024)
                .setDecompressionSupported(false)
                .setCompressionSupported(false)
                .setHandle100ContinueAutomatically(false);
        server = vertx.createHttpServer(options)
                .invalidRequestHandler(this::invalid)
                .requestHandler(this::handle);
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

    private void handle(HttpServerRequest request) {
        if (request.method() == HttpMethod.CONNECT) {
            tcp.connect(request);
            return;
        }
        new HttpExchange(vertx, request, tunnel, settings, metrics).start();
    }

    /** Requests Netty could not decode: 431 when a line or the header block is too long, else 400. */
    private void invalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status = 400;
        String message = "malformed HTTP request";
        if (cause instanceof TooLongFrameException) {
            status = 431;
            message = "request line or header block exceeds " + settings.http().maxHeaderSize() + " bytes";
        } else if (cause != null && cause.getMessage() != null) {
            message = "malformed HTTP request: " + cause.getMessage();
        }
        request.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("Connection", "close").end(message + "\n");
    }
}
