package io.connectivityproxy.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A small "on-premise" HTTP backend for the embedded default and for trying things out:
 * {@code GET /} greets, {@code GET /bytes/<n>} streams n bytes, {@code POST /echo} streams the
 * body back, {@code GET /redirect} redirects to {@code /} by its own (internal) address, {@code GET /whoami}
 * names the user of the {@code SSL_CLIENT_CERT} header (principal propagation), and a
 * WebSocket echo listens on the next port. JDK only, so it starts anywhere a JRE does.
 *
 * <p>Usage: {@code java -jar sample-backend.jar [port] [host] [name]} (defaults 18080, 127.0.0.1,
 * "sample on-premise backend"; the WebSocket echo on port + 1). The name is what {@code GET /}
 * greets with, so that run-local.sh's stand-in cluster service tells itself apart.
 */
public final class SampleBackend {

    private static String name = "sample on-premise backend";

    private SampleBackend() {}

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18080;
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        if (args.length > 2) {
            name = args[2];
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", SampleBackend::handle);
        server.start();
        System.out.println(name + " listening on http://" + host + ":"
                + server.getAddress().getPort());
        WebSocketEcho.start(host, port + 1);
    }

    /**
     * Who a backend behind a TLS-terminating web dispatcher would log on: the subject of the
     * certificate in {@code SSL_CLIENT_CERT} (principal propagation), as SAP's ICM reads it.
     */
    static String whoami(String header) {
        if (header == null) {
            return "no SSL_CLIENT_CERT header: this request carries no principal\n";
        }
        if (header.isBlank()) {
            return "SSL_CLIENT_CERT is empty: no user was propagated\n";
        }
        try {
            java.security.cert.X509Certificate certificate =
                    (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                            .generateCertificate(new java.io.ByteArrayInputStream(java.util.Base64.getMimeDecoder()
                                    .decode(header.replaceAll("-----[A-Z ]+-----", ""))));
            return "SSL_CLIENT_CERT: " + certificate.getSubjectX500Principal().getName() + " (issued by "
                    + certificate.getIssuerX500Principal().getName() + ", valid until "
                    + certificate.getNotAfter().toInstant() + ")\n";
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            return "SSL_CLIENT_CERT does not hold a certificate\n";
        }
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/bytes/")) {
                long count = Long.parseLong(path.substring("/bytes/".length()));
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, count == 0 ? -1 : count);
                byte[] block = new byte[64 * 1024];
                for (int i = 0; i < block.length; i++) {
                    block[i] = (byte) (i * 31 + 7);
                }
                try (OutputStream out = exchange.getResponseBody()) {
                    for (long left = count; left > 0; left -= block.length) {
                        out.write(block, 0, (int) Math.min(block.length, left));
                    }
                }
            } else if (path.equals("/redirect")) {
                // The backend names itself by its internal address; the connector rewrites it.
                InetSocketAddress self = exchange.getLocalAddress();
                String location = "http://" + self.getHostString() + ":" + self.getPort() + "/";
                exchange.getResponseHeaders().add("Location", location);
                exchange.sendResponseHeaders(302, -1);
            } else if (path.equals("/whoami")) {
                byte[] body = whoami(exchange.getRequestHeaders().getFirst("SSL_CLIENT_CERT"))
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } else if (path.equals("/echo")) {
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, 0);
                try (InputStream in = exchange.getRequestBody();
                        OutputStream out = exchange.getResponseBody()) {
                    in.transferTo(out);
                }
            } else {
                String host = exchange.getRequestHeaders().getFirst("Host");
                byte[] body = ("Hello from the " + name + " (Host: " + host + ", path: " + path + ")\n")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (NumberFormatException e) {
            exchange.sendResponseHeaders(400, -1);
        }
    }
}
