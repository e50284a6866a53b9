package io.connectivityproxy.bench;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;

/**
 * Workload (c): small HTTP requests at a fixed rate, open loop. Request i is due at
 * {@code start + i / rate} whether or not earlier ones have finished, and its latency is
 * measured from that due time to the last byte of its response, so time spent queueing
 * (waiting for a pooled keep-alive connection, or behind a slow request) counts — no
 * coordinated omission. Through the tunnel the requests go to the HTTP proxy in absolute form
 * (Vert.x's HTTP proxy support, as {@code curl -x} does).
 */
final class FixedRate {

    static final int POOL = 64;
    static final long TIMEOUT_MILLIS = 10_000;

    record Result(
            int sent,
            int ok,
            int errors,
            double p50Millis,
            double p90Millis,
            double p99Millis,
            double p999Millis,
            double maxMillis,
            double achievedRate,
            String firstError) {}

    private FixedRate() {}

    static Result run(Vertx vertx, Route route, int rate, double seconds, int bodyBytes) throws InterruptedException {
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(POOL)
                .setTcpNoDelay(true)
                .setConnectTimeout(10_000);
        String host = route.httpHost();
        int port = route.httpPort();
        if (route.httpProxied()) {
            options.setProxyOptions(new ProxyOptions()
                    .setType(ProxyType.HTTP)
                    .setHost(route.httpHost())
                    .setPort(route.httpPort()));
            String[] virtual = route.httpVirtual().split(":");
            host = virtual[0];
            port = Integer.parseInt(virtual[1]);
        }
        HttpClient client = vertx.createHttpClient(options);
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(host)
                .setPort(port)
                .setURI("/bytes/" + bodyBytes)
                .setTimeout(TIMEOUT_MILLIS);
        int total = (int) Math.round(rate * seconds);
        long[] latency = new long[total];
        Arrays.fill(latency, -1);
        AtomicInteger errors = new AtomicInteger();
        String[] firstError = {null};
        CountDownLatch finished = new CountDownLatch(total);
        long[] lastDone = {0};
        Context context = vertx.getOrCreateContext();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            int index = i;
            context.runOnContext(v -> client.request(request)
                    .compose(req -> req.send())
                    .compose(response -> response.statusCode() == 200
                            ? response.body()
                            : Future.failedFuture("status " + response.statusCode()))
                    .onComplete(ar -> {
                        long now = System.nanoTime();
                        if (ar.succeeded() && ar.result().length() == bodyBytes) {
                            latency[index] = now - due;
                        } else {
                            if (errors.incrementAndGet() == 1) {
                                firstError[0] = ar.succeeded()
                                        ? "body of " + ar.result().length() + " bytes"
                                        : String.valueOf(ar.cause());
                            }
                        }
                        lastDone[0] = Math.max(lastDone[0], now);
                        finished.countDown();
                    }));
        }
        boolean all = finished.await(TIMEOUT_MILLIS + 5_000, TimeUnit.MILLISECONDS);
        client.close();
        long[] ok = Arrays.stream(latency).filter(l -> l >= 0).sorted().toArray();
        int missing = all ? 0 : (int) finished.getCount();
        double elapsed = (lastDone[0] - start) / 1e9;
        return new Result(
                total,
                ok.length,
                errors.get() + missing,
                percentile(ok, 50),
                percentile(ok, 90),
                percentile(ok, 99),
                percentile(ok, 99.9),
                ok.length == 0 ? Double.NaN : ok[ok.length - 1] / 1e6,
                ok.length / elapsed,
                firstError[0]);
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] / 1e6;
    }
}
