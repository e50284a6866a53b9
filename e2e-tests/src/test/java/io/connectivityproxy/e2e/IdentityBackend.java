package io.connectivityproxy.e2e;

import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * An "on-premise" backend that says who it saw, as an SAP system logging a user on would look:
 * over HTTPS it asks for a client certificate (trusting only the given CA, the connector's
 * principal propagation CA; or demands one) and answers {@code subject=<RFC 2253 subject>} or
 * {@code subject=none}; over HTTP it answers with the {@code SSL_CLIENT_CERT} fields it got
 * ({@code ssl_client_cert_count=<n>}, {@code ssl_client_cert=<value>}), the
 * {@code Authorization} field and the names of any {@code SAP-Connectivity-*} fields.
 */
final class IdentityBackend implements AutoCloseable {

    /** Connections accepted (after the TLS handshake for HTTPS). */
    final AtomicInteger accepted = new AtomicInteger();

    private final HttpServer server;

    private IdentityBackend(HttpServer server) {
        this.server = server;
    }

    /**
     * HTTPS on {@code port} with {@code certificate}/{@code key}; client certificates of
     * {@code clientCa} requested ({@link ClientAuth#REQUEST}) or demanded ({@link ClientAuth#REQUIRED}).
     */
    static IdentityBackend https(
            Vertx vertx, int port, Path certificate, Path key, Path clientCa, ClientAuth clientAuth) throws Exception {
        HttpServerOptions options = new HttpServerOptions()
                .setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(certificate.toString())
                        .setKeyPath(key.toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(clientCa.toString()))
                .setClientAuth(clientAuth);
        return start(vertx, vertx.createHttpServer(options), port);
    }

    static IdentityBackend http(Vertx vertx, int port) throws Exception {
        return start(vertx, vertx.createHttpServer(), port);
    }

    private static IdentityBackend start(Vertx vertx, HttpServer server, int port) throws Exception {
        IdentityBackend backend = new IdentityBackend(server);
        server.connectionHandler(connection -> backend.accepted.incrementAndGet())
                .requestHandler(backend::handle);
        server.listen(port, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return backend;
    }

    private void handle(HttpServerRequest request) {
        StringBuilder text = new StringBuilder();
        if (request.isSSL()) {
            String subject = "none";
            try {
                Certificate[] chain = request.connection().sslSession().getPeerCertificates();
                subject = ((X509Certificate) chain[0]).getSubjectX500Principal().getName(X500Principal.RFC2253);
            } catch (SSLPeerUnverifiedException e) {
                // no client certificate
            }
            text.append("subject=").append(subject).append('\n');
        } else {
            text.append("ssl_client_cert_count=")
                    .append(request.headers().getAll("SSL_CLIENT_CERT").size())
                    .append('\n');
            String value = request.getHeader("SSL_CLIENT_CERT");
            text.append("ssl_client_cert=")
                    .append(value == null ? "(absent)" : value)
                    .append('\n');
        }
        text.append("authorization=").append(request.getHeader("Authorization")).append('\n');
        request.headers().names().stream()
                .filter(n -> n.toLowerCase().startsWith("sap-connectivity"))
                .forEach(n -> text.append("sap_header=").append(n).append('\n'));
        request.response().putHeader("Content-Type", "text/plain").end(text.toString());
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
