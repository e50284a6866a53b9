package io.connectivityproxy.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
 * Workload (f): small-request throughput, closed loop. {@code connections} keep-alive
 * connections each send {@code GET /bytes/<n>} again as soon as the previous response has fully
 * arrived, for {@code seconds}; the result is completed requests per second. Unlike (c) this
 * finds the most the path serves, so it shows what each hop costs per request (as
 * {@code hey -c 50} or {@code wrk -c 50} would). Through the tunnel the requests go to the HTTP
 * proxy in absolute form, as in (c).
 */
final class Throughput {

    record Result(long completed, long errors, double seconds, String firstError) {
        double perSecond() {
            return completed / seconds;
        }
    }

    private final HttpClient client;
    private final RequestOptions request;
    private final int bodyBytes;
    private final long deadline;
    private long completed;
    private long errors;
    private int running;
    private String firstError;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    private Throughput(Vertx vertx, Route route, int connections, double seconds, int bodyBytes) {
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(connections)
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
        this.client = vertx.createHttpClient(options);
        this.request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(host)
                .setPort(port)
                .setURI("/bytes/" + bodyBytes)
                .setTimeout(FixedRate.TIMEOUT_MILLIS);
        this.bodyBytes = bodyBytes;
        this.deadline = System.nanoTime() + (long) (seconds * 1e9);
    }

    static Result run(Vertx vertx, Route route, int connections, double seconds, int bodyBytes) throws Exception {
        Throughput run = new Throughput(vertx, route, connections, seconds, bodyBytes);
        Context context = vertx.getOrCreateContext();
        long started = System.nanoTime();
        context.runOnContext(v -> {
            run.running = connections;
            for (int i = 0; i < connections; i++) {
                run.next();
            }
        });
        run.done.get((long) seconds + 60, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - started) / 1e9;
        run.client.close();
        return new Result(run.completed, run.errors, elapsed, run.firstError);
    }

    /** One loop: the next request once the last one's body has arrived (on the client's context). */
    private void next() {
        if (System.nanoTime() > deadline) {
            if (--running == 0) {
                done.complete(null);
            }
            return;
        }
        client.request(request)
                .compose(req -> req.send())
                .compose(response -> response.statusCode() == 200
                        ? response.body()
                        : Future.failedFuture("status " + response.statusCode()))
                .onComplete(ar -> {
                    if (ar.succeeded() && ar.result().length() == bodyBytes) {
                        completed++;
                    } else {
                        errors++;
                        if (firstError == null) {
                            firstError = ar.succeeded()
                                    ? "body of " + ar.result().length() + " bytes"
                                    : String.valueOf(ar.cause());
                        }
                    }
                    next();
                });
    }
}
