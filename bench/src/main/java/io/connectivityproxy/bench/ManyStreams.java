package io.connectivityproxy.bench;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

/**
 * Workload (d): {@code count} raw TCP streams to the echo backend, all opened first (at most
 * {@code maxConnecting} connection attempts in flight, so that no listener's accept queue is
 * the limit), held open together for a while, then each one sends {@code payload} bytes of its
 * own pattern at the same moment and must get exactly those bytes back. A stream succeeds when
 * its echo is complete and correct. Everything runs on one event loop of the client.
 */
final class ManyStreams {

    record Result(
            int attempted,
            int opened,
            int succeeded,
            int openErrors,
            int closedWhileHeld,
            int exchangeErrors,
            double openSeconds,
            double exchangeSeconds,
            Map<String, Double> rssHeldMb,
            String firstError) {

        int errors() {
            return attempted - succeeded;
        }
    }

    private final Route route;
    private final int count;
    private final int payload;
    private final int maxConnecting;
    private final NetClient client;
    private final NetSocket[] sockets;
    private final int[] received;
    private int next;
    private int connecting;
    private int opened;
    private int openErrors;
    private int closedWhileHeld;
    private int succeeded;
    private int exchangeErrors;
    private boolean exchanging;
    private String firstError;
    private CompletableFuture<Void> openDone;
    private CompletableFuture<Void> exchangeDone;

    private ManyStreams(Vertx vertx, Route route, int count, int payload, int maxConnecting) {
        this.route = route;
        this.count = count;
        this.payload = payload;
        this.maxConnecting = maxConnecting;
        this.client = vertx.createNetClient(
                new NetClientOptions().setConnectTimeout(30_000).setTcpNoDelay(true));
        this.sockets = new NetSocket[count];
        this.received = new int[count];
    }

    static Result run(
            Vertx vertx, Route route, int count, int payload, double holdSeconds, int maxConnecting, Watch watch)
            throws Exception {
        ManyStreams run = new ManyStreams(vertx, route, count, payload, maxConnecting);
        Context context = vertx.getOrCreateContext();
        run.openDone = new CompletableFuture<>();
        long started = System.nanoTime();
        context.runOnContext(v -> run.launch());
        await(run.openDone, 300);
        double openSeconds = (System.nanoTime() - started) / 1e9;
        Thread.sleep((long) (holdSeconds * 1000));
        Map<String, Double> rssHeld = watch.rssMb();
        run.exchangeDone = new CompletableFuture<>();
        long exchangeStarted = System.nanoTime();
        context.runOnContext(v -> run.exchange());
        await(run.exchangeDone, 180);
        double exchangeSeconds = (System.nanoTime() - exchangeStarted) / 1e9;
        CompletableFuture<Result> result = new CompletableFuture<>();
        context.runOnContext(v -> {
            for (NetSocket socket : run.sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
            result.complete(new Result(
                    count,
                    run.opened,
                    run.succeeded,
                    run.openErrors,
                    run.closedWhileHeld,
                    // failed or unfinished when the exchange phase ended
                    run.opened - run.closedWhileHeld - run.succeeded,
                    openSeconds,
                    exchangeSeconds,
                    rssHeld,
                    run.firstError));
        });
        Result r = result.get(30, TimeUnit.SECONDS);
        run.client.close();
        return r;
    }

    private static void await(CompletableFuture<Void> phase, int seconds) throws Exception {
        try {
            phase.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            System.out.println("    (phase timed out after " + seconds + " s; unfinished streams count as errors)");
        }
    }

    private void launch() {
        while (connecting < maxConnecting && next < count) {
            int index = next++;
            connecting++;
            TcpStreams.open(client, route).onComplete(ar -> {
                connecting--;
                if (ar.succeeded()) {
                    NetSocket socket = ar.result();
                    sockets[index] = socket;
                    opened++;
                    socket.closeHandler(v -> closed(index));
                    socket.exceptionHandler(e -> error("stream " + index + ": " + e));
                } else {
                    openErrors++;
                    error("open: " + ar.cause());
                }
                if (opened + openErrors == count) {
                    openDone.complete(null);
                } else {
                    launch();
                }
            });
        }
    }

    private void exchange() {
        exchanging = true;
        if (opened - closedWhileHeld == 0) {
            exchangeDone.complete(null);
            return;
        }
        for (int i = 0; i < count; i++) {
            NetSocket socket = sockets[i];
            if (socket == null) {
                continue;
            }
            int index = i;
            socket.handler(data -> onEcho(index, data));
            socket.write(Buffer.buffer(pattern(index, payload)));
        }
    }

    private void onEcho(int index, Buffer data) {
        int offset = received[index];
        for (int k = 0; k < data.length(); k++) {
            if (offset + k >= payload || data.getByte(k) != expected(index, offset + k)) {
                finish(index, false, "stream " + index + ": wrong echo at byte " + (offset + k));
                return;
            }
        }
        received[index] = offset + data.length();
        if (received[index] == payload) {
            finish(index, true, null);
        }
    }

    private void closed(int index) {
        if (sockets[index] == null) {
            return;
        }
        if (!exchanging) {
            closedWhileHeld++;
            sockets[index] = null;
            error("stream " + index + " closed while held open");
        } else {
            finish(index, false, "stream " + index + " closed after " + received[index] + " echoed bytes");
        }
    }

    private void finish(int index, boolean ok, String why) {
        NetSocket socket = sockets[index];
        if (socket == null) {
            return;
        }
        sockets[index] = null;
        if (ok) {
            succeeded++;
        } else {
            exchangeErrors++;
            error(why);
        }
        socket.close();
        if (succeeded + exchangeErrors + closedWhileHeld == opened) {
            exchangeDone.complete(null);
        }
    }

    private void error(String why) {
        if (firstError == null) {
            firstError = why;
        }
    }

    static byte expected(int stream, int position) {
        return (byte) (position * 7 + stream + (stream >>> 8));
    }

    static byte[] pattern(int stream, int length) {
        byte[] bytes = new byte[length];
        for (int k = 0; k < length; k++) {
            bytes[k] = expected(stream, k);
        }
        return bytes;
    }
}
