package io.connectivityproxy.bench;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

/**
 * Workload (e): new streams per second. {@code concurrency} workers each loop for
 * {@code seconds}: open a raw TCP stream to the echo backend (SOCKS5 CONNECT through the
 * tunnel), send 64 bytes, read the 64 bytes back, close. Counts completed streams and measures
 * the time of each open + round trip.
 */
final class StreamChurn {

    static final int PAYLOAD = 64;

    record Result(long completed, long errors, double seconds, double p50Millis, double p99Millis, String firstError) {
        double perSecond() {
            return completed / seconds;
        }
    }

    private final Vertx vertx;
    private final Route route;
    private final NetClient client;
    private final long deadline;
    private final long[] durations = new long[4_000_000];
    private long completed;
    private long errors;
    private int running;
    private String firstError;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private StreamChurn(Vertx vertx, Route route, double seconds) {
        this.vertx = vertx;
        this.route = route;
        this.client = vertx.createNetClient(
                new NetClientOptions().setConnectTimeout(10_000).setTcpNoDelay(true));
        this.deadline = System.nanoTime() + (long) (seconds * 1e9);
    }

    static Result run(Vertx vertx, Route route, int concurrency, double seconds) throws Exception {
        StreamChurn churn = new StreamChurn(vertx, route, seconds);
        Context context = vertx.getOrCreateContext();
        long started = System.nanoTime();
        context.runOnContext(v -> {
            churn.running = concurrency;
            for (int i = 0; i < concurrency; i++) {
                churn.next();
            }
        });
        churn.done.get((long) seconds + 60, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - started) / 1e9;
        churn.client.close();
        int n = (int) Math.min(churn.completed, churn.durations.length);
        long[] sorted = Arrays.copyOf(churn.durations, n);
        Arrays.sort(sorted);
        return new Result(
                churn.completed,
                churn.errors,
                elapsed,
                FixedRate.percentile(sorted, 50),
                FixedRate.percentile(sorted, 99),
                churn.firstError);
    }

    private void next() {
        if (System.nanoTime() > deadline) {
            if (--running == 0) {
                done.complete(null);
            }
            return;
        }
        long started = System.nanoTime();
        TcpStreams.open(client, route).compose(StreamChurn::roundTrip).onComplete(ar -> {
            if (ar.succeeded()) {
                if (completed < durations.length) {
                    durations[(int) completed] = System.nanoTime() - started;
                }
                completed++;
                next();
            } else {
                errors++;
                if (firstError == null) {
                    firstError = String.valueOf(ar.cause());
                }
                vertx.setTimer(10, t -> next());
            }
        });
    }

    private static Future<Void> roundTrip(NetSocket socket) {
        Promise<Void> promise = Promise.promise();
        byte[] payload = ManyStreams.pattern(PAYLOAD, PAYLOAD);
        int[] got = {0};
        socket.exceptionHandler(e -> {
            promise.tryFail(e);
            socket.close();
        });
        socket.closeHandler(v -> promise.tryFail("closed after " + got[0] + " echoed bytes"));
        socket.handler(data -> {
            for (int k = 0; k < data.length(); k++) {
                if (got[0] + k >= PAYLOAD || data.getByte(k) != payload[got[0] + k]) {
                    promise.tryFail("wrong echo");
                    socket.close();
                    return;
                }
            }
            got[0] += data.length();
            if (got[0] == PAYLOAD) {
                promise.tryComplete();
                socket.close();
            }
        });
        socket.write(Buffer.buffer(payload));
        return promise.future();
    }
}
