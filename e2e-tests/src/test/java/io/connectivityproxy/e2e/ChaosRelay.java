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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
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
 *   <li>{@link #latency(Duration)}: every byte arrives that much later, without a limit on
 *       throughput (a long link, not a slow one: chunks are in flight together, as on a path
 *       to a distant data centre);
 *   <li>{@link #blackhole()}: bytes are read and dropped in both directions while both sockets stay
 *       open, as when a link or a peer dies without a FIN or RST: the half-open case, which only
 *       the peers' own liveness checks can detect; new connections are accepted and blackholed too;
 *   <li>{@link #reset()}: every open connection is closed with a RST on both sides, and new ones
 *       are reset as soon as they are accepted, until another mode is set.
 * </ul>
 *
 * Blocking sockets with a reader and a writer thread per direction of a connection, joined by a
 * bounded queue of chunks: chaos tests hold a handful of connections, and a thread that only
 * copies bytes is the simplest thing that can be trusted to do it.
 */
final class ChaosRelay implements AutoCloseable {

    enum Mode {
        PASS,
        DELAY,
        LATENCY,
        BLACKHOLE,
        RESET
    }

    /** Chunks queued per direction; a full queue stops the reader, so TCP back-pressure still reaches the sender. */
    private static final int QUEUED_CHUNKS = 4096;

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayNanos;
    private volatile long latencyNanos;

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

    /** Every chunk goes on {@code latency} after it arrived, while later chunks are already on their way. */
    void latency(Duration latency) {
        latencyNanos = latency.toNanos();
        mode = Mode.LATENCY;
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

    /** Bytes read from one side, to be written to the other at {@code due} ({@link System#nanoTime()}; 0: now); no bytes: the FIN. */
    private record Chunk(byte[] bytes, long due) {}

    /** One relayed connection: a client socket, the socket to the target, a reader and a writer thread per direction. */
    private final class Link {

        private final Socket client;
        private final Socket upstream;
        private final List<Thread> threads = new CopyOnWriteArrayList<>();
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
            BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>(QUEUED_CHUNKS);
            Thread reader = new Thread(
                    () -> {
                        byte[] chunk = new byte[64 * 1024];
                        try {
                            InputStream in = from.getInputStream();
                            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                                Mode now = mode;
                                if (now == Mode.BLACKHOLE) {
                                    dropped.addAndGet(n);
                                    continue;
                                }
                                if (now == Mode.DELAY) {
                                    TimeUnit.NANOSECONDS.sleep(delayNanos);
                                }
                                long due = now == Mode.LATENCY ? System.nanoTime() + latencyNanos : 0;
                                queue.put(new Chunk(Arrays.copyOf(chunk, n), due));
                            }
                            queue.put(new Chunk(null, 0));
                        } catch (IOException | InterruptedException e) {
                            reset();
                        }
                    },
                    "chaos-" + name + "-" + direction + "-read");
            Thread writer = new Thread(
                    () -> {
                        try {
                            OutputStream out = to.getOutputStream();
                            for (Chunk next = queue.take(); next.bytes() != null; next = queue.take()) {
                                long wait = next.due() - System.nanoTime();
                                if (next.due() != 0 && wait > 0) {
                                    TimeUnit.NANOSECONDS.sleep(wait);
                                }
                                out.write(next.bytes());
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
                    "chaos-" + name + "-" + direction + "-write");
            for (Thread thread : List.of(reader, writer)) {
                threads.add(thread);
                thread.setDaemon(true);
                thread.start();
            }
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
            // Wakes the threads that wait on a queue rather than a socket.
            threads.forEach(Thread::interrupt);
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
