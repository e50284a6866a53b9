package io.connectivityproxy.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady download traffic for failure tests: client loops, each running real curl processes one
 * after the other against {@link TestBackend}'s {@code /bytes/<size>}, through the HTTP proxy
 * port ({@code curl -x}) or the SOCKS5 port ({@code curl --socks5-hostname}) of one proxy-service
 * replica, paced by the backend ({@code /paced/<rate>/<size>}) so that every transfer lasts a few
 * seconds, every hop holds little of it, and a process that dies cuts it. Each transfer is judged by what its user would see: complete (exit 0, status 200, every
 * byte and the right SHA-256), failed visibly (curl reported an error or a status other than 200),
 * or silently short (curl reported success but the body is short or wrong: never acceptable). Each
 * request names itself ({@code ?id=}) so a test can tell from a backend's request log which
 * connector carried it.
 */
final class SteadyLoad implements AutoCloseable {

    enum Route {
        /** {@code curl -x http://proxy}: absolute-form requests to the HTTP proxy, host {@code app}. */
        HTTP_PROXY,
        /** {@code curl --socks5-hostname proxy}: a raw stream to the TCP mapping {@code tcp-app}. */
        SOCKS5
    }

    enum Outcome {
        COMPLETE,
        FAILED_VISIBLY,
        SILENTLY_SHORT
    }

    /** One download: which client loop ran it, when (System.nanoTime()), and what curl reported. */
    record Transfer(
            String client, String id, long started, long ended, int exitCode, int status, long bytes, Outcome outcome) {

        boolean inFlightAt(long nanos) {
            return started < nanos && ended > nanos;
        }

        @Override
        public String toString() {
            return client + " " + id + ": " + outcome + " (curl exit " + exitCode + ", status " + status + ", " + bytes
                    + " bytes)";
        }
    }

    private final Path work;
    private final long size;
    private final long rate;
    private final String expected;
    /**
     * Transfer ids, unique in this JVM: backends keep every URI they were asked for, and a test
     * tells which backend carried a transfer by its id, so a later load must not reuse one.
     */
    private static final AtomicLong IDS = new AtomicLong();

    private final List<Client> clients = new ArrayList<>();
    private final List<Transfer> transfers = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;

    /** Downloads of {@code size} bytes that the backend sends at {@code rate} bytes per second. */
    SteadyLoad(Path work, long size, long rate) {
        this.work = work;
        this.size = size;
        this.rate = rate;
        this.expected = Payload.sha256(size);
    }

    /**
     * Starts a client loop through {@code port} of 127.0.0.1. One that {@code stopsAfterFailure}
     * gives up after its first failed transfer, as a user pinned to a replica that died would.
     */
    void start(String name, Route route, int port, boolean stopsAfterFailure) {
        Client client = new Client(name, route, port, stopsAfterFailure);
        clients.add(client);
        client.thread.start();
    }

    /** Whether every running loop has a transfer that started at least {@code age} ago and has not ended. */
    boolean allInFlightFor(Duration age) {
        long now = System.nanoTime();
        for (Client client : clients) {
            if (!client.done) {
                long since = client.current.get();
                if (since == 0 || now - since < age.toNanos()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether every loop has completed at least {@code count} transfers: the load is steady. */
    boolean everyLoopCompleted(int count) {
        List<Transfer> done = transfers();
        return clients.stream()
                .allMatch(client -> done.stream()
                                .filter(t -> t.client().equals(client.name) && t.outcome() == Outcome.COMPLETE)
                                .count()
                        >= count);
    }

    /** Transfers finished so far, in the order they ended. */
    List<Transfer> transfers() {
        synchronized (transfers) {
            return List.copyOf(transfers);
        }
    }

    /** Transfers of client loops whose name starts with {@code prefix}. */
    List<Transfer> of(String prefix) {
        return transfers().stream().filter(t -> t.client().startsWith(prefix)).toList();
    }

    /**
     * One download of {@code size} bytes now, at full speed, through {@code route} on {@code port},
     * outside the loops: a new user's request. Recorded with the others.
     */
    Transfer once(String name, Route route, int port, long size) {
        return download(name, route, port, size, 0);
    }

    /** Lets each loop finish the transfer it is in, then stops them. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        for (Client client : clients) {
            client.thread.join(Duration.ofSeconds(90).toMillis());
        }
    }

    private Transfer download(String name, Route route, int port, long size, long rate) {
        String id = "t" + IDS.incrementAndGet();
        String path = (rate > 0 ? "/paced/" + rate + "/" : "/bytes/") + size + "?id=" + id;
        List<String> args = new ArrayList<>(List.of("--max-time", "60"));
        if (route == Route.HTTP_PROXY) {
            args.addAll(List.of("-x", "http://127.0.0.1:" + port, "http://app:8080" + path));
        } else {
            args.addAll(List.of("--socks5-hostname", "127.0.0.1:" + port, "http://tcp-app:8080" + path));
        }
        long started = System.nanoTime();
        try {
            Curl.Result result = Curl.run(work, args.toArray(String[]::new));
            long ended = System.nanoTime();
            long[] length = new long[1];
            String sha;
            try (InputStream in = Files.newInputStream(result.body())) {
                sha = Payload.sha256(in, length);
            }
            Files.deleteIfExists(result.body());
            Outcome outcome;
            if (result.exitCode() != 0 || result.status() != 200) {
                outcome = Outcome.FAILED_VISIBLY;
            } else if (length[0] == size && sha.equals(size == this.size ? expected : Payload.sha256(size))) {
                outcome = Outcome.COMPLETE;
            } else {
                outcome = Outcome.SILENTLY_SHORT;
            }
            Transfer transfer =
                    new Transfer(name, id, started, ended, result.exitCode(), result.status(), length[0], outcome);
            transfers.add(transfer);
            return transfer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private final class Client {

        final String name;
        final Thread thread;
        /** System.nanoTime() at the start of the transfer in flight, 0 between transfers. */
        final AtomicLong current = new AtomicLong();

        volatile boolean done;

        Client(String name, Route route, int port, boolean stopsAfterFailure) {
            this.name = name;
            thread = new Thread(
                    () -> {
                        try {
                            while (!stopping) {
                                current.set(System.nanoTime());
                                Transfer transfer = download(name, route, port, size, rate);
                                current.set(0);
                                if (transfer.outcome() != Outcome.COMPLETE) {
                                    if (stopsAfterFailure) {
                                        return;
                                    }
                                    // Paces a client whose requests fail at once (e.g. 503) while the system recovers.
                                    ManagedProcess.pause();
                                }
                            }
                        } finally {
                            done = true;
                        }
                    },
                    "load-" + name);
            thread.setDaemon(true);
        }
    }
}
