package io.connectivityproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.vertx.core.Vertx;

/**
 * Runs the workloads over one path and writes {@code key=value} results for {@link Report}.
 *
 * <pre>
 * suite --path ours --out FILE
 *       --http HOST:PORT [--http-virtual VHOST:VPORT]     (virtual: absolute-form via the HTTP proxy)
 *       --tcp HOST:PORT [--socks-target VHOST:VPORT]      (target: SOCKS5 CONNECT)
 *       [--watch name=pid[+pid],...] [--workloads a,b,c,d,e]
 *       [--a-bytes N] [--b-streams N] [--b-bytes N] [--c-rate N] [--c-seconds S] [--c-body N]
 *       [--d-streams N] [--d-bytes N] [--d-hold S] [--d-connecting N]
 *       [--e-seconds S] [--e-concurrency N] [--f-connections N] [--f-seconds S] [--f-body N]
 *       [--warmup-bytes N] [--warmup-seconds S]                  (--warmup-bytes 0: no warm-up)
 * </pre>
 */
final class Suite {

    private final Map<String, String> args;
    private final Map<String, String> results = new LinkedHashMap<>();
    private final Path out;
    private final Watch watch;

    private Suite(Map<String, String> args) {
        this.args = args;
        this.out = Path.of(args.get("out"));
        this.watch = Watch.parse(args.get("watch"));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        new Suite(args).run();
        System.exit(0);
    }

    private String arg(String name, String fallback) {
        return args.getOrDefault(name, fallback);
    }

    private long number(String name, long fallback) {
        return Long.parseLong(arg(name, Long.toString(fallback)));
    }

    private double decimal(String name, double fallback) {
        return Double.parseDouble(arg(name, Double.toString(fallback)));
    }

    private Route route() {
        String[] http = args.get("http").split(":");
        String[] tcp = args.get("tcp").split(":");
        String socks = args.get("socks-target");
        return new Route(
                http[0],
                Integer.parseInt(http[1]),
                args.get("http-virtual"),
                tcp[0],
                Integer.parseInt(tcp[1]),
                socks == null ? null : socks.split(":")[0],
                socks == null ? 0 : Integer.parseInt(socks.split(":")[1]));
    }

    private void run() throws Exception {
        String path = args.get("path");
        Route route = route();
        List<String> workloads = List.of(arg("workloads", "a,b,c,d,e").split(","));
        put("path", path);
        put("route", route.describe());
        System.out.println("== " + path + ": " + route.describe());
        Vertx vertx = Vertx.vertx();
        try {
            warmUp(vertx, route);
            if (workloads.contains("a")) {
                measured("a", () -> download("a", route, 1, number("a-bytes", 1_000_000_000L)));
            }
            if (workloads.contains("b")) {
                int streams = (int) number("b-streams", 8);
                measured("b", () -> download("b", route, streams, number("b-bytes", 125_000_000L)));
            }
            if (workloads.contains("c")) {
                measured("c", () -> fixedRate(vertx, route));
            }
            if (workloads.contains("d")) {
                Map<String, Double> before = watch.peakRssMb();
                watch.resetPeaks();
                measured("d", () -> manyStreams(vertx, route));
                Map<String, Double> during = watch.peakRssMb();
                during.forEach((name, mb) -> {
                    put("d.rss_peak_mb." + name, mb);
                    put("rss_peak_before_d_mb." + name, before.getOrDefault(name, 0.0));
                });
            }
            if (workloads.contains("e")) {
                measured("e", () -> churn(vertx, route));
            }
            if (workloads.contains("f")) {
                measured("f", () -> throughput(vertx, route));
            }
            watch.peakRssMb().forEach((name, mb) -> put("rss_peak_end_mb." + name, mb));
        } finally {
            write();
            vertx.close();
        }
    }

    /** JIT-compiles every hop (client, proxies, backend) before anything is measured. */
    private void warmUp(Vertx vertx, Route route) throws Exception {
        long bytes = number("warmup-bytes", 200_000_000L);
        double seconds = decimal("warmup-seconds", 5);
        if (bytes == 0) {
            // A cold run: what a process that has just started does (bench/native.sh measures both).
            System.out.println("   no warm-up");
            return;
        }
        System.out.printf(
                Locale.ROOT,
                "   warm-up: %d MB download, 2 x %d MB in parallel, %.0f s of small requests%n",
                bytes / 1_000_000,
                bytes / 4_000_000,
                seconds);
        report("warmup.download_errors", Download.run(route, 1, bytes).errors());
        report("warmup.parallel_errors", Download.run(route, 2, bytes / 4).errors());
        report(
                "warmup.requests_errors",
                FixedRate.run(vertx, route, (int) number("c-rate", 1000), seconds, (int) number("c-body", 64))
                        .errors());
        report(
                "warmup.churn_errors",
                StreamChurn.run(vertx, route, 8, Math.min(seconds, 3)).errors());
    }

    private void report(String key, long errors) {
        put(key, errors);
        if (errors > 0) {
            System.out.println("   warm-up had " + errors + " errors (" + key + ")");
        }
    }

    interface Workload {
        void run() throws Exception;
    }

    /** Runs a workload and records the CPU seconds each watched process spent on it. */
    private void measured(String name, Workload workload) throws Exception {
        Map<String, Long> statsBefore = backendStats();
        Map<String, Double> before = watch.cpuSeconds();
        Map<String, Double> waitBefore = watch.runQueueWaitSeconds();
        double loadBefore = loadAverage();
        double machineBefore = Watch.machineBusySeconds();
        long started = System.nanoTime();
        put(name + ".start_ms", System.currentTimeMillis());
        // Written now so that a profiler outside can start when the measured part starts.
        write();
        workload.run();
        put(name + ".end_ms", System.currentTimeMillis());
        double wall = (System.nanoTime() - started) / 1e9;
        double machine = Watch.machineBusySeconds() - machineBefore;
        double[] ours = {0};
        watch.cpuSeconds().forEach((process, seconds) -> {
            double used = seconds - before.getOrDefault(process, 0.0);
            ours[0] += used;
            put(name + ".cpu_s." + process, used);
        });
        watch.runQueueWaitSeconds()
                .forEach((process, seconds) ->
                        put(name + ".runq_s." + process, Math.max(0, seconds - waitBefore.getOrDefault(process, 0.0))));
        // What the rest of the machine (other builds and tests) took while this workload ran.
        put(name + ".other_cpu_s", Math.max(0, machine - ours[0]));
        put(name + ".wall_s", wall);
        Map<String, Long> statsAfter = backendStats();
        statsAfter.forEach((key, value) -> put(name + ".backend_" + key, value - statsBefore.getOrDefault(key, 0L)));
        put(name + ".loadavg_before", loadBefore);
        write();
    }

    private void download(String name, Route route, int streams, long bytes) throws Exception {
        Download.Result r = Download.run(route, streams, bytes);
        put(name + ".streams", streams);
        put(name + ".bytes", r.bytes());
        put(name + ".seconds", r.seconds());
        put(name + ".mbps", r.megabytesPerSecond());
        put(name + ".errors", r.errors());
        System.out.printf(
                Locale.ROOT,
                "   (%s) %d x %d MB: %.1f MB/s in %.2f s, %d errors%s%n",
                name,
                streams,
                bytes / 1_000_000,
                r.megabytesPerSecond(),
                r.seconds(),
                r.errors(),
                r.errorMessages().isEmpty() ? "" : " " + r.errorMessages().get(0));
    }

    private void fixedRate(Vertx vertx, Route route) throws Exception {
        int rate = (int) number("c-rate", 1000);
        double seconds = decimal("c-seconds", 20);
        FixedRate.Result r = FixedRate.run(vertx, route, rate, seconds, (int) number("c-body", 64));
        put("c.rate", rate);
        put("c.seconds", seconds);
        put("c.sent", r.sent());
        put("c.ok", r.ok());
        put("c.achieved_rps", r.achievedRate());
        put("c.p50_ms", r.p50Millis());
        put("c.p90_ms", r.p90Millis());
        put("c.p99_ms", r.p99Millis());
        put("c.p999_ms", r.p999Millis());
        put("c.max_ms", r.maxMillis());
        put("c.errors", r.errors());
        System.out.printf(
                Locale.ROOT,
                "   (c) %d req/s for %.0f s: p50 %.3f ms, p90 %.3f, p99 %.3f, p99.9 %.3f, max %.3f ms;"
                        + " %d ok, %d errors%s%n",
                rate,
                seconds,
                r.p50Millis(),
                r.p90Millis(),
                r.p99Millis(),
                r.p999Millis(),
                r.maxMillis(),
                r.ok(),
                r.errors(),
                r.firstError() == null ? "" : " (" + r.firstError() + ")");
    }

    private void manyStreams(Vertx vertx, Route route) throws Exception {
        int count = (int) number("d-streams", 10_000);
        ManyStreams.Result r = ManyStreams.run(
                vertx,
                route,
                count,
                (int) number("d-bytes", 4096),
                decimal("d-hold", 5),
                (int) number("d-connecting", 128),
                watch);
        put("d.streams", count);
        put("d.opened", r.opened());
        put("d.succeeded", r.succeeded());
        put("d.open_errors", r.openErrors());
        put("d.closed_while_held", r.closedWhileHeld());
        put("d.exchange_errors", r.exchangeErrors());
        put("d.errors", r.errors());
        put("d.open_seconds", r.openSeconds());
        put("d.exchange_seconds", r.exchangeSeconds());
        r.rssHeldMb().forEach((name, mb) -> put("d.rss_held_mb." + name, mb));
        System.out.printf(
                Locale.ROOT,
                "   (d) %d streams: %d opened in %.1f s, %d succeeded (exchange %.1f s), %d errors%s%n",
                count,
                r.opened(),
                r.openSeconds(),
                r.succeeded(),
                r.exchangeSeconds(),
                r.errors(),
                r.firstError() == null ? "" : " (first: " + r.firstError() + ")");
    }

    private void churn(Vertx vertx, Route route) throws Exception {
        int concurrency = (int) number("e-concurrency", 32);
        StreamChurn.Result r = StreamChurn.run(vertx, route, concurrency, decimal("e-seconds", 10));
        put("e.concurrency", concurrency);
        put("e.completed", r.completed());
        put("e.streams_per_s", r.perSecond());
        put("e.p50_ms", r.p50Millis());
        put("e.p99_ms", r.p99Millis());
        put("e.errors", r.errors());
        System.out.printf(
                Locale.ROOT,
                "   (e) %d workers: %.0f new streams/s (open + 64 B echo p50 %.2f ms, p99 %.2f ms)," + " %d errors%s%n",
                concurrency,
                r.perSecond(),
                r.p50Millis(),
                r.p99Millis(),
                r.errors(),
                r.firstError() == null ? "" : " (first: " + r.firstError() + ")");
    }

    private void throughput(Vertx vertx, Route route) throws Exception {
        int connections = (int) number("f-connections", 50);
        double seconds = decimal("f-seconds", 10);
        int body = (int) number("f-body", 64);
        Throughput.Result r = Throughput.run(vertx, route, connections, seconds, body);
        put("f.connections", connections);
        put("f.completed", r.completed());
        put("f.requests_per_s", r.perSecond());
        put("f.errors", r.errors());
        System.out.printf(
                Locale.ROOT,
                "   (f) %d connections, closed loop: %.0f requests/s of %d bytes, %d errors%s%n",
                connections,
                r.perSecond(),
                body,
                r.errors(),
                r.firstError() == null ? "" : " (first: " + r.firstError() + ")");
    }

    /** The backend's counters ({@code --backend-stats HOST:PORT}, straight to the backend). */
    private Map<String, Long> backendStats() {
        Map<String, Long> stats = new HashMap<>();
        String target = args.get("backend-stats");
        if (target == null) {
            return stats;
        }
        String[] hostPort = target.split(":");
        try (java.net.Socket socket = new java.net.Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
            socket.getOutputStream()
                    .write(("GET /stats HTTP/1.1\r\nHost: " + target + "\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response =
                    new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            String body = response.substring(response.indexOf("\r\n\r\n") + 4).trim();
            for (String pair : body.split(" ")) {
                String[] kv = pair.split("=");
                stats.put(kv[0], Long.parseLong(kv[1]));
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("   (backend stats unavailable: " + e + ")");
        }
        return stats;
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private void put(String key, Object value) {
        results.put(key, value instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : String.valueOf(value));
    }

    private void write() throws IOException {
        StringBuilder text = new StringBuilder();
        results.forEach((k, v) ->
                text.append(k).append('=').append(v.replace('\n', ' ')).append('\n'));
        Files.writeString(out, text);
    }
}
