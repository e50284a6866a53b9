package io.connectivityproxy.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for an in-cluster service on a real socket in the test JVM, with one thread per
 * connection running {@code behaviour}. Service-channel tests point ServiceMappings at it.
 */
final class ClusterService implements AutoCloseable {

    /** What the service does with one accepted connection; the socket is closed afterwards. */
    @FunctionalInterface
    interface Behaviour {
        void serve(Socket socket, InputStream in, OutputStream out) throws IOException;
    }

    /** Echoes every byte; on the client's half-close, finishes writing and half-closes too. */
    static final Behaviour ECHO = (socket, in, out) -> {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
        out.flush();
        socket.shutdownOutput();
    };

    /** Connections accepted so far. */
    final AtomicInteger connections = new AtomicInteger();

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "cluster-service");
        thread.setDaemon(true);
        return thread;
    });

    ClusterService(Behaviour behaviour) {
        try {
            server = new ServerSocket(0, 2000, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.execute(() -> {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    return;
                }
                connections.incrementAndGet();
                threads.execute(() -> {
                    try (socket) {
                        behaviour.serve(socket, socket.getInputStream(), socket.getOutputStream());
                    } catch (IOException e) {
                        // The client went away: nothing to serve.
                    }
                });
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
