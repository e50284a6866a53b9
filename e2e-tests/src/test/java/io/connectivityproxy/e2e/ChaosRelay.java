package io.connectivityproxy.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on 127.0.0.1 for chaos tests, put between two processes (a connector and
 * tunnel-service): it passes the traffic, delays it, blackholes it or resets it, on command and
 * for every connection at once.
 *
 * <ul>
 *   <li>{@link #pass()}: bytes go through as they come (the start mode);
 *   <li>{@link #delay(Duration)}: every chunk waits that long before it goes on, in order;
 *   <li>{@link #blackhole()}: bytes are read and dropped in both directions while both sockets stay
 *       open, as when a link or a peer dies without a FIN or RST: the half-open case, which only
 *       the peers' own liveness checks can detect; new connections are accepted and blackholed too;
 *   <li>{@link #reset()}: every open connection is closed with a RST on both sides, and new ones
 *       are reset as soon as they are accepted, until another mode is set.
 * </ul>
 *
 * Blocking sockets with two threads per connection: chaos tests hold a handful of connections,
 * and a thread that only copies bytes is the simplest thing that can be trusted to do it.
 */
final class ChaosRelay implements AutoCloseable {

    enum Mode {
        PASS,
        DELAY,
        BLACKHOLE,
        RESET
    }

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayNanos;

    /** Starts relaying a free port of 127.0.0.1 to {@code targetPort} on 127.0.0.1. */
    ChaosRelay(String name, int targetPort) {
        this.name = name;
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("chaos relay " + name + ": cannot listen", e);
        }
        Thread acceptor = new Thread(this::accept, "chaos-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    Mode mode() {
        return mode;
    }

    /** Connections accepted since the start. */
    long accepted() {
        return accepted.get();
    }

    /** Bytes dropped by {@link #blackhole()} since the start, both directions. */
    long dropped() {
        return dropped.get();
    }

    /** Connections open now (both legs up). */
    int open() {
        return (int) links.stream().filter(link -> !link.closed).count();
    }

    void pass() {
        mode = Mode.PASS;
    }

    void delay(Duration delay) {
        delayNanos = delay.toNanos();
        mode = Mode.DELAY;
    }

    void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    void reset() {
        mode = Mode.RESET;
        for (Link link : links) {
            link.reset();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            if (mode == Mode.RESET) {
                resetQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 10_000);
            } catch (IOException e) {
                // The target is down: the client sees what it would see without the relay.
                resetQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            Link link = new Link(client, upstream);
            links.add(link);
            link.start();
        }
    }

    /** One relayed connection: a client socket, the socket to the target, a copying thread per direction. */
    private final class Link {

        private final Socket client;
        private final Socket upstream;
        private volatile boolean closed;
        private int ended;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            copy(client, upstream, "up");
            copy(upstream, client, "down");
        }

        private void copy(Socket from, Socket to, String direction) {
            Thread thread = new Thread(
                    () -> {
                        byte[] chunk = new byte[64 * 1024];
                        try {
                            InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream();
                            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                                Mode now = mode;
                                if (now == Mode.BLACKHOLE) {
                                    dropped.addAndGet(n);
                                    continue;
                                }
                                if (now == Mode.DELAY) {
                                    TimeUnit.NANOSECONDS.sleep(delayNanos);
                                }
                                out.write(chunk, 0, n);
                                out.flush();
                            }
                            // A FIN goes on as a FIN (half-close is part of what passes), unless the link is a
                            // blackhole.
                            if (mode != Mode.BLACKHOLE) {
                                to.shutdownOutput();
                            }
                            directionEnded();
                        } catch (IOException | InterruptedException e) {
                            reset();
                        }
                    },
                    "chaos-" + name + "-" + direction);
            thread.setDaemon(true);
            thread.start();
        }

        /** Both directions ended with a FIN: the connection is over, both sockets close. */
        private synchronized void directionEnded() {
            if (++ended == 2) {
                closed = true;
                closeQuietly(client);
                closeQuietly(upstream);
                links.remove(this);
            }
        }

        void reset() {
            closed = true;
            resetQuietly(client);
            resetQuietly(upstream);
            links.remove(this);
        }
    }

    private static void resetQuietly(Socket socket) {
        try {
            // Linger 0: close() sends a RST instead of a FIN.
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // Already closed: nothing to reset.
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is all that is left to do with it.
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // Closed either way.
        }
        for (Link link : new ArrayList<>(links)) {
            link.reset();
        }
    }
}
