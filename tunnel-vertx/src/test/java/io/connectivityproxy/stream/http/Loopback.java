package io.connectivityproxy.stream.http;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * A Vert.x server on 127.0.0.1 whose accepted sockets the test drives on their own context,
 * with a plain {@link Socket} as the peer that writes and reads raw bytes.
 */
final class Loopback implements AutoCloseable {

    static final long TIMEOUT_SECONDS = 10;

    /** The server side of one connection, paused from the moment it was accepted. */
    record Accepted(Context context, NetSocket socket) {

        /** Runs {@code action} on the socket's context and waits for its result. */
        <T> T on(Callable<T> action) throws Exception {
            CompletableFuture<T> result = new CompletableFuture<>();
            context.runOnContext(v -> {
                try {
                    result.complete(action.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
            return result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        void run(Runnable action) throws Exception {
            on(() -> {
                action.run();
                return null;
            });
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final BlockingQueue<Accepted> accepted = new LinkedBlockingQueue<>();
    private final NetServer server;
    private final int port;

    Loopback(NetServerOptions options) throws Exception {
        server = vertx.createNetServer(options.setHost("127.0.0.1"));
        // Paused at once: a socket without a handler drops what it reads.
        server.connectHandler(socket -> accepted.add(new Accepted(Vertx.currentContext(), socket.pause())));
        port = server.listen(0)
                .toCompletionStage()
                .toCompletableFuture()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .actualPort();
    }

    /** Connects {@code peer} (configured but unconnected) and returns the server's side. */
    Accepted connect(Socket peer) throws Exception {
        peer.connect(new InetSocketAddress("127.0.0.1", port));
        Accepted side = accepted.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (side == null) {
            throw new AssertionError("the server did not accept the connection");
        }
        return side;
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
