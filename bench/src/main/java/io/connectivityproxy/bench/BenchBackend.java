package io.connectivityproxy.bench;

import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * The backend every path reaches, built so that it is never the bottleneck: Vert.x on its own
 * event loops, bodies written from one pre-filled direct buffer (no per-request allocation or
 * copy), back-pressure respected.
 *
 * <ul>
 * <li>HTTP {@code GET /bytes/<n>}: n bytes with Content-Length, keep-alive.
 * <li>TCP: echoes every byte back; ends its side when the client ends its side.
 * <li>HTTP {@code GET /stats}: connections and requests served so far, so that a suite can tell
 * how a path uses the backend (for example whether it reuses keep-alive connections).
 * </ul>
 *
 * <p>Further {@code NAME=HTTP_PORT:TCP_PORT} arguments open more port pairs that say who they are,
 * for {@code bench/soak.sh}, whose two connectors each lead to a pair of their own: so the client
 * learns which connector carried a stream. Their HTTP responses carry {@value #TAG_HEADER}: NAME,
 * and their TCP streams echo the line {@code NAME\n} before the first byte.
 */
final class BenchBackend {

    static final int CHUNK = 64 * 1024;
    /** A byte pattern clients can check: byte i of a body is {@code (byte) i}. */
    private static final ByteBuf PATTERN;

    static {
        ByteBuf buf = Unpooled.directBuffer(CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            buf.writeByte((byte) i);
        }
        PATTERN = Unpooled.unreleasableBuffer(buf.asReadOnly());
    }

    /** Counters a suite reads from {@code GET /stats} to see how the path used the backend. */
    private static final AtomicLong HTTP_CONNECTIONS = new AtomicLong();

    private static final AtomicLong HTTP_REQUESTS = new AtomicLong();
    private static final AtomicLong TCP_CONNECTIONS = new AtomicLong();

    /** The response header of a named port pair. */
    static final String TAG_HEADER = "X-Bench-Backend";

    private BenchBackend() {}

    public static void main(String[] args) throws Exception {
        Vertx vertx = Vertx.vertx();
        listen(vertx, Integer.parseInt(args[0]), Integer.parseInt(args[1]), null);
        System.out.println("bench backend: http://127.0.0.1:" + args[0] + "/bytes/<n>, tcp echo 127.0.0.1:" + args[1]);
        for (int i = 2; i < args.length; i++) {
            String[] nameAndPorts = args[i].split("=", 2);
            String[] ports = nameAndPorts[1].split(":", 2);
            listen(vertx, Integer.parseInt(ports[0]), Integer.parseInt(ports[1]), nameAndPorts[0]);
            System.out.println("bench backend " + nameAndPorts[0] + ": http://127.0.0.1:" + ports[0]
                    + "/bytes/<n>, tcp echo 127.0.0.1:" + ports[1]);
        }
    }

    /** One HTTP and one TCP echo port; {@code tag} null for the plain pair, else the pair's name. */
    private static void listen(Vertx vertx, int httpPort, int tcpPort, String tag) throws Exception {
        vertx.createHttpServer(new HttpServerOptions()
                        .setHost("127.0.0.1")
                        .setPort(httpPort)
                        .setTcpNoDelay(true)
                        .setAcceptBacklog(4096))
                .connectionHandler(connection -> HTTP_CONNECTIONS.incrementAndGet())
                .requestHandler(request -> {
                    if (tag != null) {
                        request.response().putHeader(TAG_HEADER, tag);
                    }
                    http(request);
                })
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get();
        vertx.createNetServer(new NetServerOptions()
                        .setHost("127.0.0.1")
                        .setPort(tcpPort)
                        .setTcpNoDelay(true)
                        .setAcceptBacklog(4096))
                .connectHandler(socket -> {
                    if (tag == null) {
                        echo(socket);
                    } else {
                        taggedEcho(socket, tag);
                    }
                })
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get();
    }

    private static void http(HttpServerRequest request) {
        String path = request.path();
        if (path.equals("/stats")) {
            request.response()
                    .end("http_connections=" + HTTP_CONNECTIONS.get() + " http_requests=" + HTTP_REQUESTS.get()
                            + " tcp_connections=" + TCP_CONNECTIONS.get() + "\n");
            return;
        }
        HTTP_REQUESTS.incrementAndGet();
        if (!path.startsWith("/bytes/")) {
            request.response().setStatusCode(404).end("GET /bytes/<n>\n");
            return;
        }
        long length;
        try {
            length = Long.parseLong(path.substring("/bytes/".length()));
        } catch (NumberFormatException e) {
            request.response().setStatusCode(400).end("bad length\n");
            return;
        }
        HttpServerResponse response = request.response();
        response.putHeader("Content-Type", "application/octet-stream");
        response.putHeader("Content-Length", Long.toString(length));
        response.setWriteQueueMaxSize(4 * CHUNK);
        new BodyWriter(response, length).run();
    }

    /** Writes the body chunk by chunk while the socket takes it, resumes on drain. */
    private static final class BodyWriter implements Runnable {
        private final HttpServerResponse response;
        private long left;

        BodyWriter(HttpServerResponse response, long length) {
            this.response = response;
            this.left = length;
        }

        @Override
        public void run() {
            while (left > 0 && !response.writeQueueFull()) {
                int n = (int) Math.min(CHUNK, left);
                left -= n;
                response.write(Buffer.buffer(PATTERN.slice(0, n)));
            }
            if (left == 0) {
                response.end();
            } else {
                response.drainHandler(v -> run());
            }
        }
    }

    /**
     * The echo, with the tag line before the first byte echoed: sent only once the client has
     * spoken, so that it never arrives together with a SOCKS5 reply (which {@link TcpStreams} reads
     * without keeping what follows it).
     */
    private static void taggedEcho(NetSocket socket, String tag) {
        TCP_CONNECTIONS.incrementAndGet();
        socket.handler(first -> {
            socket.pause();
            socket.handler(null);
            socket.write(tag + "\n");
            socket.write(first);
            socket.pipeTo(socket);
        });
    }

    private static void echo(NetSocket socket) {
        TCP_CONNECTIONS.incrementAndGet();
        socket.pipeTo(socket);
    }
}
