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
 * body back, {@code GET /redirect} redirects to {@code /} by its own (internal) address, and a
 * WebSocket echo listens on the next port. JDK only, so it starts anywhere a JRE does.
 *
 * <p>Usage: {@code java -jar sample-backend.jar [port] [host] [name]} (defaults 18080, 127.0.0.1,
 * "sample on-premise backend"; the WebSocket echo on port + 1). The name is what {@code GET /}
 * greets with, so that run-local.sh's stand-in cluster service tells itself apart.
 */
public final class SampleBackend {

    private static String name = "sample on-premise backend";

    private SampleBackend() {
    }

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
        System.out.println(name + " listening on http://" + host + ":" + server.getAddress().getPort());
        WebSocketEcho.start(host, port + 1);
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
            } else if (path.equals("/echo")) {
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, 0);
                try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
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
