package io.connectivityproxy.e2e;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * An "on-premise" HTTP backend on a real socket in the test JVM. {@code GET /} names the
 * backend; {@code GET /bytes/<n>} streams n payload bytes with Content-Length and back-pressure;
 * {@code POST /echo} streams the body back; {@code GET /headers} lists the request headers;
 * {@code GET /abort/<n>} declares 2n bytes, sends n, then drops the connection;
 * {@code GET /paced/<rate>/<n>} streams n payload bytes at rate bytes per second (so that every hop
 * holds little of a long response and a process that dies cuts it).
 */
final class TestBackend implements AutoCloseable {

    final String name;
    /** Payload bytes handed to the socket by /bytes responses. */
    final AtomicLong written = new AtomicLong();
    /** TCP connections accepted so far (a proxy that reuses kept-alive connections opens few). */
    final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    /** The request target of every request received, in order. */
    final java.util.Queue<String> uris = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final HttpServer server;
    private final Vertx vertx;

    TestBackend(Vertx vertx, String name) throws Exception {
        this.name = name;
        this.vertx = vertx;
        this.server = vertx.createHttpServer()
                .requestHandler(this::handle)
                .connectionHandler(connection -> connections.incrementAndGet());
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        uris.add(request.uri());
        HttpServerResponse response = request.response();
        if (path.startsWith("/bytes/")) {
            long length = Long.parseLong(path.substring("/bytes/".length()));
            response.putHeader("Content-Length", Long.toString(length));
            send(response, 0, length);
        } else if (path.startsWith("/paced/")) {
            String[] parts = path.substring("/paced/".length()).split("/");
            long length = Long.parseLong(parts[1]);
            response.putHeader("Content-Length", Long.toString(length));
            long interval = Math.max(1, Payload.BLOCK * 1000L / Long.parseLong(parts[0]));
            pace(response, 0, length, interval);
        } else if (path.startsWith("/abort/")) {
            long length = Long.parseLong(path.substring("/abort/".length()));
            response.putHeader("Content-Length", Long.toString(2 * length));
            byte[] bytes = new byte[(int) length];
            Payload.fill(bytes, 0);
            response.write(Buffer.buffer(bytes))
                    .onComplete(v -> request.connection().close());
        } else if (path.equals("/echo")) {
            response.setChunked(true);
            request.pipeTo(response);
        } else if (path.equals("/headers")) {
            StringBuilder text = new StringBuilder();
            request.headers().forEach(h -> text.append(h.getKey().toLowerCase())
                    .append(": ")
                    .append(h.getValue())
                    .append('\n'));
            response.putHeader("Content-Type", "text/plain").end(text.toString());
        } else {
            response.putHeader("Content-Type", "text/plain")
                    .putHeader("X-Backend", name)
                    .end("backend " + name + " " + request.method() + " " + request.uri() + "\n");
        }
    }

    /** Writes payload bytes from {@code offset}, pausing whenever the socket's queue is full. */
    private void send(HttpServerResponse response, long offset, long length) {
        long position = offset;
        while (position < length && !response.writeQueueFull()) {
            byte[] block = new byte[(int) Math.min(Payload.BLOCK, length - position)];
            Payload.fill(block, position);
            response.write(Buffer.buffer(block));
            written.addAndGet(block.length);
            position += block.length;
        }
        if (position >= length) {
            response.end();
            return;
        }
        long next = position;
        response.drainHandler(v -> send(response, next, length));
    }

    /** Writes one payload block every {@code interval} ms from {@code offset}; stops when the client is gone. */
    private void pace(HttpServerResponse response, long offset, long length, long interval) {
        if (response.closed()) {
            return;
        }
        byte[] block = new byte[(int) Math.min(Payload.BLOCK, length - offset)];
        Payload.fill(block, offset);
        response.write(Buffer.buffer(block));
        written.addAndGet(block.length);
        long next = offset + block.length;
        if (next >= length) {
            response.end();
            return;
        }
        vertx.setTimer(interval, id -> pace(response, next, length, interval));
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
