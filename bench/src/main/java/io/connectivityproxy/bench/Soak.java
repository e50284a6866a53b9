package io.connectivityproxy.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * The traffic, the samples and the summary of {@code bench/soak.sh}, which starts the nodes and
 * restarts them; it tells this process which pids and management ports the nodes have now (the
 * nodes file, rewritten at each restart) and when it restarted what (the events file).
 *
 * <pre>
 * soak --duration S --sample S --nodes FILE --events FILE
 *      --proxies proxy-1=HTTP:SOCKS,...  --channels connector-1=PORT,...  --carriers connector-1=tunnel-1,...
 *      [--grace S] [--download-bytes N] [--download-every-ms N] [--small-workers N] [--small-rate N]
 *      [--socks-workers N] [--channel-workers N] [--echo-seconds S] [--echo-rate BYTES_PER_S]
 * </pre>
 *
 * Traffic, each worker alternating over the proxies (or channels) from one operation to the next:
 * one download worker ({@code GET /bytes/N} through the HTTP proxy, every byte counted and
 * checked), small-request workers ({@code GET /bytes/64}, a new connection each), SOCKS5 echo
 * streams of {@code --echo-seconds} through proxy-service, and service channel echo streams through
 * each connector's local channel port. The backend's tag (see {@link BenchBackend}) tells which
 * connector carried a proxied stream. Exit code 1 when an error was unexpected, open files grew
 * without bound in a process, or the system was not idle at the end; 0 otherwise.
 */
final class Soak {

    /** The gauges that read zero on an idle node, by the node's name prefix (as the e2e tests' IdleState). */
    private static final Map<String, List<String>> ZERO_WHEN_IDLE = Map.of(
            "proxy", List.of("cp_proxy_streams_open"),
            "tunnel", List.of("cp_tunnel_streams_open", "cp_tunnel_channel_streams_open"),
            "connector", List.of("cp_connector_streams_open", "cp_connector_channel_streams_open"));

    private static final Map<String, String> BUDGET = Map.of(
            "proxy", "cp_proxy_window_budget_available_bytes",
            "connector", "cp_connector_window_budget_available_bytes");

    private record Endpoint(String name, int http, int socks) {}

    private record Node(String name, long pid, int management) {}

    private final Map<String, String> args;
    private final SoakRecord record = new SoakRecord();
    private final List<Endpoint> proxies = new ArrayList<>();
    private final List<Endpoint> channels = new ArrayList<>();
    private final Map<String, String> carriers = new LinkedHashMap<>();
    private final Path nodesFile;
    private final long started = System.currentTimeMillis();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile boolean stopped;

    private Soak(Map<String, String> args) {
        this.args = args;
        this.nodesFile = Path.of(args.get("nodes"));
        for (String entry : args.get("proxies").split(",")) {
            String[] nameAndPorts = entry.split("=", 2);
            String[] ports = nameAndPorts[1].split(":");
            proxies.add(new Endpoint(nameAndPorts[0], Integer.parseInt(ports[0]), Integer.parseInt(ports[1])));
        }
        for (String entry : args.get("channels").split(",")) {
            String[] nameAndPort = entry.split("=", 2);
            channels.add(new Endpoint(nameAndPort[0], 0, Integer.parseInt(nameAndPort[1])));
        }
        for (String entry : args.get("carriers").split(",")) {
            String[] kv = entry.split("=", 2);
            carriers.put(kv[0], kv[1]);
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        System.exit(new Soak(args).run());
    }

    private long number(String name, long fallback) {
        return Long.parseLong(args.getOrDefault(name, Long.toString(fallback)));
    }

    private int run() throws Exception {
        long durationMs = number("duration", 3600) * 1000;
        long sampleMs = number("sample", 30) * 1000;
        Map<String, Double> budgets = budgets(nodes());
        Vertx vertx = Vertx.vertx();
        NetClient net = vertx.createNetClient(
                new NetClientOptions().setConnectTimeout(10_000).setTcpNoDelay(true));
        EchoStream echo = new EchoStream(vertx, net);

        printHeader();
        sample(true);
        List<Thread> workers = new ArrayList<>();
        workers.add(worker("download", 0, number("download-every-ms", 2000), n -> download(0, n)));
        for (int w = 0; w < number("small-workers", 2); w++) {
            int worker = w;
            workers.add(worker("small", w, 1000 / number("small-rate", 10), n -> small(worker, n)));
        }
        for (int w = 0; w < number("socks-workers", 2); w++) {
            int worker = w;
            workers.add(worker("socks", w, 0, n -> socks(echo, worker, n)));
        }
        for (int w = 0; w < number("channel-workers", 2); w++) {
            int worker = w;
            workers.add(worker("channel", w, 0, n -> channel(echo, worker, n)));
        }
        long next = started + sampleMs;
        while (System.currentTimeMillis() < started + durationMs) {
            long sleep = Math.min(next, started + durationMs) - System.currentTimeMillis();
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
            if (System.currentTimeMillis() >= next) {
                sample(false);
                next += sampleMs;
            }
        }
        stopped = true;
        for (Thread worker : workers) {
            worker.join(number("echo-seconds", 10) * 1000 + 90_000);
        }
        sample(false);
        System.out.println();
        List<String> notIdle = awaitIdle(budgets);
        sample(true);
        vertx.close();
        return summary(notIdle);
    }

    // ---- traffic ------------------------------------------------------------------------------

    private interface Operation {
        void run(long n) throws Exception;
    }

    /** A thread that runs {@code operation} until the soak stops, starting one at most every {@code periodMs}. */
    private Thread worker(String kind, int index, long periodMs, Operation operation) {
        Thread thread = new Thread(
                () -> {
                    for (long n = 0; !stopped; n++) {
                        long start = System.currentTimeMillis();
                        try {
                            operation.run(n);
                        } catch (Exception e) {
                            // Each operation records its own failure; this is the harness failing.
                            System.out.println("soak worker " + kind + "-" + index + ": " + e);
                        }
                        long pause = Math.max(periodMs - (System.currentTimeMillis() - start), 0);
                        try {
                            Thread.sleep(pause);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                kind + "-" + index);
        thread.start();
        return thread;
    }

    private void download(int worker, long n) {
        get("download", proxies.get((int) ((worker + n) % proxies.size())), number("download-bytes", 16_000_000));
    }

    private void small(int worker, long n) {
        get("small", proxies.get((int) ((worker + n) % proxies.size())), 64);
    }

    private void get(String kind, Endpoint proxy, long bytes) {
        Route route = new Route("127.0.0.1", proxy.http(), "bench-http:8080", null, 0, null, 0);
        AtomicReference<String> carrier = new AtomicReference<>();
        long start = System.currentTimeMillis();
        try {
            Download.get(
                    route,
                    bytes,
                    head -> carrier.set(Download.header(head, BenchBackend.TAG_HEADER.toLowerCase(Locale.ROOT))));
            record.ok(kind);
        } catch (IOException | RuntimeException e) {
            failed(kind, start, proxiedPath(proxy, carrier.get()), e.toString());
        }
    }

    private void socks(EchoStream echo, int worker, long n) throws InterruptedException {
        Endpoint proxy = proxies.get((int) ((worker + n) % proxies.size()));
        Route route = new Route(null, 0, null, "127.0.0.1", proxy.socks(), "bench-tcp", 9000);
        AtomicReference<String> carrier = new AtomicReference<>();
        long start = System.currentTimeMillis();
        String error = echo(echo, route, true, carrier);
        if (error == null) {
            record.ok("socks");
        } else {
            failed("socks", start, proxiedPath(proxy, carrier.get()), error);
        }
        pauseAfterStream();
    }

    private void channel(EchoStream echo, int worker, long n) throws InterruptedException {
        Endpoint channel = channels.get((int) ((worker + n) % channels.size()));
        Route route = new Route(null, 0, null, "127.0.0.1", channel.socks(), null, 0);
        long start = System.currentTimeMillis();
        String error = echo(echo, route, false, new AtomicReference<>());
        if (error == null) {
            record.ok("channel");
        } else {
            failed("channel", start, Set.of(channel.name(), carriers.get(channel.name())), error);
        }
        pauseAfterStream();
    }

    /** One echo stream; null when it completed, else why not. */
    private String echo(EchoStream echo, Route route, boolean tagged, AtomicReference<String> carrier)
            throws InterruptedException {
        int seconds = (int) number("echo-seconds", 10);
        try {
            echo.run(route, tagged, seconds, (int) number("echo-rate", 262_144), carrier)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(seconds + 60L, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause().getMessage();
        } catch (TimeoutException e) {
            return "no end within " + (seconds + 60) + " s";
        }
    }

    /** A second between streams, so that a refused stream is not retried in a tight loop. */
    private static void pauseAfterStream() throws InterruptedException {
        Thread.sleep(1000);
    }

    /** The proxy, and the connector that carried the stream with its tunnel-service, or all of them when unknown. */
    private Set<String> proxiedPath(Endpoint proxy, String carrier) {
        Set<String> path = new LinkedHashSet<>();
        path.add(proxy.name());
        if (carrier != null && carriers.containsKey(carrier)) {
            path.add(carrier);
            path.add(carriers.get(carrier));
        } else {
            carriers.forEach((connector, tunnel) -> {
                path.add(connector);
                path.add(tunnel);
            });
        }
        return path;
    }

    private void failed(String kind, long start, Set<String> path, String message) {
        record.failed(new SoakRecord.Failure(kind, start, System.currentTimeMillis(), path, String.valueOf(message)));
    }

    // ---- samples ------------------------------------------------------------------------------

    private List<Node> nodes() throws IOException {
        List<Node> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(nodesFile)) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                nodes.add(new Node(f[0], Long.parseLong(f[1]), Integer.parseInt(f[2])));
            }
        }
        nodes.add(new Node("client", ProcessHandle.current().pid(), 0));
        return nodes;
    }

    private void printHeader() throws IOException {
        StringBuilder header = new StringBuilder(" elapsed  load |");
        for (String kind : SoakRecord.KINDS) {
            header.append(String.format(" %11s", kind + " ok/err"));
        }
        header.append(" | RSS MB / open files:");
        for (Node node : nodes()) {
            header.append(' ').append(node.name());
        }
        System.out.println(header);
    }

    /** One line: the operations since the last line, and each process's RSS and open files. */
    private void sample(boolean idle) throws IOException {
        long elapsed = System.currentTimeMillis() - started;
        StringBuilder line = new StringBuilder(String.format("%s %5s |", clock(elapsed), loadAverage()));
        Map<String, String> counts = record.takeInterval();
        for (String kind : SoakRecord.KINDS) {
            line.append(String.format(" %11s", counts.get(kind)));
        }
        line.append(" |");
        for (Node node : nodes()) {
            int files = Watch.openFiles(node.pid());
            double rss = Watch.kilobytes(node.pid(), "VmRSS:") / 1024.0;
            if (files < 0) {
                line.append(String.format(" %s -", node.name()));
            } else {
                record.sample(node.name(), node.pid(), new SoakRecord.Sample(elapsed, rss, files));
                line.append(String.format(" %s %.0f/%d", node.name(), rss, files));
            }
        }
        System.out.println(line + (idle ? "   (idle)" : ""));
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    static String clock(long ms) {
        long s = ms / 1000;
        return String.format("%3d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    // ---- idle at the end ----------------------------------------------------------------------

    private String metrics(Node node) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.management() + "/q/metrics"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(node.name() + " /q/metrics: " + response.statusCode());
        }
        return response.body();
    }

    private static String prefix(Node node) {
        return node.name().replaceFirst("-.*", "");
    }

    /** Each node's window budget while nothing flows yet: what it returns to once idle. */
    private Map<String, Double> budgets(List<Node> nodes) throws Exception {
        Map<String, Double> budgets = new TreeMap<>();
        for (Node node : nodes) {
            String gauge = BUDGET.get(prefix(node));
            if (gauge != null) {
                budgets.put(node.name(), sum(metrics(node), gauge));
            }
        }
        return budgets;
    }

    /** Waits up to a minute until every node is idle; returns what is not. */
    private List<String> awaitIdle(Map<String, Double> budgets) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        List<String> problems;
        do {
            problems = idleProblems(budgets);
            if (problems.isEmpty()) {
                break;
            }
            Thread.sleep(500);
        } while (System.currentTimeMillis() < deadline);
        long waited = System.currentTimeMillis() - (deadline - 60_000);
        System.out.println(
                problems.isEmpty()
                        ? String.format("idle at the end: yes, %.1f s after the traffic stopped", waited / 1000.0)
                        : "idle at the end: NO after 60 s: " + String.join("; ", problems));
        if (!problems.isEmpty()) {
            dumpAdmin();
        }
        return problems;
    }

    /** What each node says about its streams and sessions, kept beside the logs to see what was left. */
    private void dumpAdmin() throws IOException {
        Path dir = nodesFile.toAbsolutePath().getParent();
        for (Node node : nodes()) {
            String path = node.name().startsWith("proxy") ? "/admin/streams" : "/admin/sessions";
            if (node.management() == 0) {
                continue;
            }
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.management() + path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                Files.writeString(dir.resolve("left-" + node.name() + ".json"), response.body());
            } catch (IOException | InterruptedException e) {
                System.out.println(node.name() + " " + path + ": " + e);
            }
        }
        System.out.println("what the nodes hold now (" + "/admin/streams, /admin/sessions): " + dir + "/left-*.json");
    }

    private List<String> idleProblems(Map<String, Double> budgets) throws IOException {
        List<String> problems = new ArrayList<>();
        double tunnelSessions = 0;
        double connectorSessions = 0;
        for (Node node : nodes()) {
            List<String> zero = ZERO_WHEN_IDLE.get(prefix(node));
            if (zero == null) {
                continue;
            }
            String metrics;
            try {
                metrics = metrics(node);
            } catch (IOException | InterruptedException e) {
                problems.add(node.name() + " does not answer (" + e.getMessage() + ")");
                continue;
            }
            for (String gauge : zero) {
                double value = sum(metrics, gauge);
                if (value != 0) {
                    problems.add(node.name() + " " + gauge + " = " + value);
                }
            }
            String budget = BUDGET.get(prefix(node));
            if (budget != null && budgets.containsKey(node.name())) {
                double value = sum(metrics, budget);
                if (value != budgets.get(node.name())) {
                    problems.add(
                            node.name() + " " + budget + " = " + value + ", at the start " + budgets.get(node.name()));
                }
            }
            tunnelSessions += sum(metrics, "cp_tunnel_sessions");
            connectorSessions += sum(metrics, "cp_connector_sessions_active");
        }
        if (tunnelSessions != connectorSessions) {
            problems.add(
                    "tunnel-service nodes hold " + tunnelSessions + " session(s), the connectors " + connectorSessions);
        }
        return problems;
    }

    /** The sum of every sample of {@code name} (any labels) in Prometheus text. */
    static double sum(String metrics, String name) {
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    // ---- summary ------------------------------------------------------------------------------

    private int summary(List<String> notIdle) throws IOException {
        long graceMs = number("grace", 5) * 1000;
        List<SoakRecord.Restart> restarts = SoakRecord.restarts(Path.of(args.get("events")));
        List<SoakRecord.Failure> failures = record.failures();
        Map<String, int[]> byKind = new LinkedHashMap<>();
        Map<String, Integer> causes = new TreeMap<>();
        Map<SoakRecord.Restart, List<SoakRecord.Failure>> byRestart = new LinkedHashMap<>();
        restarts.forEach(r -> byRestart.put(r, new ArrayList<>()));
        List<SoakRecord.Failure> unexpected = new ArrayList<>();
        SoakRecord.KINDS.forEach(kind -> byKind.put(kind, new int[2]));
        for (SoakRecord.Failure failure : failures) {
            Set<SoakRecord.Restart> explaining = SoakRecord.explaining(failure, restarts, graceMs);
            boolean expected = !explaining.isEmpty();
            byKind.get(failure.kind())[expected ? 0 : 1]++;
            causes.merge(
                    failure.kind() + "  " + (expected ? "expected  " : "UNEXPECTED") + "  "
                            + SoakRecord.cause(failure.message()),
                    1,
                    Integer::sum);
            explaining.forEach(r -> byRestart.get(r).add(failure));
            if (!expected) {
                unexpected.add(failure);
            }
        }

        System.out.println();
        System.out.printf(
                "== summary: %s of traffic, %d restarts, grace %d s after each restart window%n",
                clock(number("duration", 3600) * 1000).trim(), restarts.size(), graceMs / 1000);
        System.out.println("kind        ok  failed: expected  unexpected");
        for (String kind : SoakRecord.KINDS) {
            int[] counts = byKind.get(kind);
            System.out.printf("%-8s %7d  %17d  %10d%n", kind, record.okTotal(kind), counts[0], counts[1]);
        }
        if (!causes.isEmpty()) {
            System.out.println();
            System.out.println("failures by kind and cause (numbers shown as N):");
            causes.forEach((cause, count) -> System.out.printf("%6d  %s%n", count, cause));
        }
        if (!unexpected.isEmpty()) {
            System.out.println();
            System.out.println("unexpected failures (first 20): start .. end, nodes on the path, message");
            unexpected.stream()
                    .limit(20)
                    .forEach(f -> System.out.printf(
                            "  %s .. %s  %-8s %s  %s%n",
                            clock(f.startMs() - started), clock(f.endMs() - started), f.kind(), f.path(), f.message()));
        }
        System.out.println();
        System.out.println("restarts: signal, exit code and time to exit, time until the system was whole"
                + " again, failures in the window (last one after the signal)");
        for (SoakRecord.Restart r : restarts) {
            List<SoakRecord.Failure> in = byRestart.get(r);
            Map<String, Integer> kinds = new TreeMap<>();
            long last = 0;
            for (SoakRecord.Failure f : in) {
                kinds.merge(f.kind(), 1, Integer::sum);
                last = Math.max(last, f.endMs() - r.beginMs());
            }
            boolean whole = r.wholeMs() < Long.MAX_VALUE / 4;
            System.out.printf(
                    "  %s %-12s SIG%-4s exit %s after %s, %s, %d failed %s%s%n",
                    clock(r.beginMs() - started),
                    r.node(),
                    r.signal(),
                    r.exitMs() < 0 ? "?" : Integer.toString(r.exitCode()),
                    r.exitMs() < 0 ? "?" : seconds(r.exitMs() - r.beginMs()),
                    whole ? "whole after " + seconds(r.wholeMs() - r.beginMs()) : "NEVER whole again",
                    in.size(),
                    kinds.isEmpty() ? "" : kinds.toString(),
                    in.isEmpty() ? "" : " (last " + seconds(last) + ")");
        }

        System.out.println();
        System.out.println("processes: RSS and open files, first and last sample of each process (a restarted"
                + " node is a new process)");
        List<String> growing = new ArrayList<>();
        for (SoakRecord.Instance instance : record.instances()) {
            List<SoakRecord.Sample> s = instance.samples();
            SoakRecord.Sample first = s.get(0);
            SoakRecord.Sample last = s.get(s.size() - 1);
            int maxFiles =
                    s.stream().mapToInt(SoakRecord.Sample::openFiles).max().orElse(0);
            double maxRss =
                    s.stream().mapToDouble(SoakRecord.Sample::rssMb).max().orElse(0);
            boolean grows = SoakRecord.openFilesGrow(instance);
            if (grows) {
                growing.add(instance.name() + " (pid " + instance.pid() + ")");
            }
            System.out.printf(
                    "  %-12s pid %-8d %s .. %s  RSS %4.0f -> %4.0f MB (%+.0f, max %.0f)  files %4d -> %4d (%+d, max %d)%s%n",
                    instance.name(),
                    instance.pid(),
                    clock(first.elapsedMs()),
                    clock(last.elapsedMs()),
                    first.rssMb(),
                    last.rssMb(),
                    last.rssMb() - first.rssMb(),
                    maxRss,
                    first.openFiles(),
                    last.openFiles(),
                    last.openFiles() - first.openFiles(),
                    maxFiles,
                    grows ? "  GROWING" : "");
        }

        System.out.println();
        List<String> verdicts = new ArrayList<>();
        if (!unexpected.isEmpty()) {
            verdicts.add(unexpected.size() + " unexpected failure(s)");
        }
        if (!growing.isEmpty()) {
            verdicts.add("open files growing in " + String.join(", ", growing));
        }
        if (!notIdle.isEmpty()) {
            verdicts.add("not idle at the end");
        }
        System.out.println(
                verdicts.isEmpty()
                        ? "soak: OK (no unexpected failure, no growth of open files, idle at the end)"
                        : "soak: FAILED: " + String.join("; ", verdicts));
        return verdicts.isEmpty() ? 0 : 1;
    }

    private static String seconds(long ms) {
        return String.format("%.1f s", ms / 1000.0);
    }
}
