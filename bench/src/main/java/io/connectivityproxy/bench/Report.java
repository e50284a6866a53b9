package io.connectivityproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The comparison table of the three paths from the {@link Suite} result files, with ratios,
 * errors per workload, memory, CPU, and the issue's targets marked met or missed.
 */
final class Report {

    private static final String[] WORKLOADS = {"a", "b", "c", "d", "e", "f"};

    private static final String[] PATHS = {"direct", "ssh", "ours"};
    private final Map<String, Map<String, String>> byPath = new LinkedHashMap<>();
    private final StringBuilder out = new StringBuilder();

    private Report() {}

    public static void main(String[] args) throws IOException {
        Report report = new Report();
        for (String file : args) {
            Map<String, String> values = new LinkedHashMap<>();
            if (!Files.exists(Path.of(file))) {
                continue;
            }
            for (String line : Files.readAllLines(Path.of(file))) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            report.byPath.put(values.getOrDefault("path", file), values);
        }
        report.render();
        System.out.print(report.out);
    }

    private Double value(String path, String key) {
        Map<String, String> values = byPath.get(path);
        if (values == null || !values.containsKey(key)) {
            return null;
        }
        try {
            return Double.parseDouble(values.get(key));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private String any(String key) {
        for (String path : PATHS) {
            Map<String, String> values = byPath.get(path);
            if (values != null && values.containsKey(key)) {
                return values.get(key);
            }
        }
        return "?";
    }

    private void line(String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static String cell(Double v, String format) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null || b == 0 || a.isNaN() || b.isNaN()
                ? "-"
                : String.format(Locale.ROOT, "%.2fx", a / b);
    }

    private void row(String label, String key, String format) {
        Double direct = value("direct", key);
        Double ssh = value("ssh", key);
        Double ours = value("ours", key);
        if (direct == null && ssh == null && ours == null) {
            return;
        }
        line(
                "| %-46s | %10s | %10s | %10s | %11s | %11s |",
                label,
                cell(direct, format),
                cell(ssh, format),
                cell(ours, format),
                ratio(ours, ssh),
                ratio(ours, direct));
    }

    /** A row of values minus the direct path's value (added latency). */
    private void addedRow(String label, String key) {
        Double direct = value("direct", key);
        Double ssh = value("ssh", key);
        Double ours = value("ours", key);
        if (direct == null && ssh == null && ours == null) {
            return;
        }
        line(
                "| %-46s | %10s | %10s | %10s | %11s | %11s |",
                label,
                direct == null ? "-" : "0 (ref)",
                ssh == null || direct == null ? "-" : cell(ssh - direct, "%+.3f"),
                ours == null || direct == null ? "-" : cell(ours - direct, "%+.3f"),
                "",
                "");
    }

    private void render() {
        String aBytes = mb(any("a.bytes"));
        String bStreams = any("b.streams");
        String bBytes = mb(any("b.bytes"));
        String rate = any("c.rate");
        String cSeconds = any("c.seconds").replaceAll("\\.0+$", "");
        String dStreams = any("d.streams");
        String eWorkers = any("e.concurrency");
        line(
                "| %-46s | %10s | %10s | %10s | %11s | %11s |",
                "workload (higher is better unless marked ms)",
                "direct",
                "ssh -R",
                "ours",
                "ours/ssh -R",
                "ours/direct");
        line(
                "|%s|%s|%s|%s|%s|%s|",
                "-".repeat(48), "-".repeat(12), "-".repeat(12), "-".repeat(12), "-".repeat(13), "-".repeat(13));
        row("(a) 1 stream, " + aBytes + " download, MB/s", "a.mbps", "%.1f");
        row("(b) " + bStreams + " streams, " + bBytes + " total, aggregate MB/s", "b.mbps", "%.1f");
        row("(c) " + rate + " req/s x " + cSeconds + " s, p50 ms (lower better)", "c.p50_ms", "%.3f");
        row("(c) p99 ms (lower better)", "c.p99_ms", "%.3f");
        row("(c) p99.9 ms (lower better)", "c.p999_ms", "%.3f");
        addedRow("(c) p50 added over direct, ms", "c.p50_ms");
        addedRow("(c) p99 added over direct, ms", "c.p99_ms");
        row("(c) achieved req/s", "c.achieved_rps", "%.0f");
        row("(c) TCP connections the backend accepted", "c.backend_http_connections", "%.0f");
        row("(d) " + dStreams + " streams held, then echo: succeeded", "d.succeeded", "%.0f");
        row("(d) time to open all streams, s (lower better)", "d.open_seconds", "%.1f");
        row("(e) new streams/s (" + eWorkers + " workers, open+64 B echo)", "e.streams_per_s", "%.0f");
        row("(e) open + echo p50 ms (lower better)", "e.p50_ms", "%.2f");
        row("(f) " + any("f.connections") + " connections, closed loop, req/s", "f.requests_per_s", "%.0f");
        for (String path : PATHS) {
            Double requests = value(path, "f.completed");
            if (requests != null && requests > 0) {
                perTenThousand(path, requests);
            }
        }
        for (String w : WORKLOADS) {
            row("errors in (" + w + ") (must be 0)", w + ".errors", "%.0f");
        }
        out.append('\n');
        load();
        out.append('\n');
        memory();
        out.append('\n');
        cpu();
        out.append('\n');
        targets();
    }

    /** Workload (f)'s CPU seconds per 10,000 requests, per process of one path. */
    private void perTenThousand(String path, double requests) {
        List<String> parts = new ArrayList<>();
        double total = 0;
        for (String key : byPath.get(path).keySet()) {
            if (key.startsWith("f.cpu_s.")) {
                double perTen = value(path, key) / requests * 10_000;
                total += perTen;
                parts.add(String.format(Locale.ROOT, "%s %.2f", key.substring("f.cpu_s.".length()), perTen));
            }
        }
        line("  (f) %s: CPU-s per 10,000 requests %.2f (%s)", label(path), total, String.join(", ", parts));
    }

    /** CPU seconds per GB of one download workload: every watched process of the path, summed. */
    private Double cpuPerGb(String path, String workload) {
        Map<String, String> values = byPath.get(path);
        Double bytes = value(path, workload + ".bytes");
        if (values == null || bytes == null || bytes == 0) {
            return null;
        }
        double cpu = 0;
        for (String key : values.keySet()) {
            if (key.startsWith(workload + ".cpu_s.")) {
                cpu += value(path, key);
            }
        }
        return cpu / (bytes / 1e9);
    }

    private void memory() {
        line("Peak RSS (VmHWM, MB) of each process while (d) ran (peak reset just before (d)), and RSS with all");
        line("streams held open. ssh -R: sshd = the session's sshd processes, ssh = the on-premise ssh client.");
        for (String path : PATHS) {
            Map<String, String> values = byPath.get(path);
            if (values == null) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            for (String key : values.keySet()) {
                if (key.startsWith("d.rss_peak_mb.")) {
                    String name = key.substring("d.rss_peak_mb.".length());
                    parts.add(String.format(
                            Locale.ROOT,
                            "%s %s (held %s, whole run %s)",
                            name,
                            cell(value(path, key), "%.0f"),
                            cell(value(path, "d.rss_held_mb." + name), "%.0f"),
                            cell(
                                    max(
                                            value(path, "rss_peak_before_d_mb." + name),
                                            value(path, "rss_peak_end_mb." + name)),
                                    "%.0f")));
                }
            }
            line("  %-7s %s", label(path) + ":", parts.isEmpty() ? "-" : String.join("; ", parts));
        }
    }

    private void load() {
        line("Other processes' CPU while each workload ran (CPU-seconds / wall seconds; 2.0 = both cores taken)");
        line("and the 1-minute load average just before it: a quiet machine shows about 0 here.");
        for (String path : PATHS) {
            if (!byPath.containsKey(path)) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            for (String w : WORKLOADS) {
                Double load = value(path, w + ".loadavg_before");
                Double other = value(path, w + ".other_cpu_s");
                Double wall = value(path, w + ".wall_s");
                if (load != null && other != null && wall != null) {
                    parts.add(String.format(Locale.ROOT, "(%s) %.2f, load %.1f", w, other / wall, load));
                }
            }
            line("  %-7s %s", label(path) + ":", String.join("  ", parts));
        }
    }

    private void cpu() {
        perProcess("CPU seconds used per workload (user+system, from /proc): total, then per process.", ".cpu_s.");
        line("");
        perProcess(
                "Seconds the threads of each process waited for a CPU while runnable (run-queue wait, from\n"
                        + "/proc/PID/task/*/schedstat), per workload: queueing for the two cores, on top of the CPU time.",
                ".runq_s.");
    }

    private void perProcess(String title, String field) {
        line(title);
        for (String w : WORKLOADS) {
            List<String> cells = new ArrayList<>();
            for (String path : PATHS) {
                Map<String, String> values = byPath.get(path);
                if (values == null || !values.containsKey(w + ".errors")) {
                    continue;
                }
                double total = 0;
                List<String> parts = new ArrayList<>();
                Set<String> keys = new LinkedHashSet<>(values.keySet());
                for (String key : keys) {
                    if (key.startsWith(w + field)) {
                        double s = value(path, key);
                        total += s;
                        parts.add(key.substring((w + field).length()) + " " + String.format(Locale.ROOT, "%.1f", s));
                    }
                }
                if (!parts.isEmpty()) {
                    cells.add(String.format(Locale.ROOT, "%s %.1f (%s)", label(path), total, String.join(", ", parts)));
                }
            }
            if (!cells.isEmpty()) {
                line("  (%s) %s", w, String.join(" | ", cells));
            }
        }
    }

    private void targets() {
        line("Targets of the issue:");
        for (String w : new String[] {"a", "b"}) {
            Double ours = value("ours", w + ".mbps");
            Double ssh = value("ssh", w + ".mbps");
            if (ours != null && ssh != null) {
                double r = ours / ssh;
                line("  (%s) ours >= 1.0 x ssh -R: %.2f x -> %s", w, r, r >= 1.0 ? "MET" : "MISSED");
            }
            Double oursCpu = cpuPerGb("ours", w);
            Double sshCpu = cpuPerGb("ssh", w);
            if (oursCpu != null && sshCpu != null) {
                line(
                        "  (%s) CPU-s per GB of the whole path <= ssh -R's: %.2f against %.2f -> %s",
                        w, oursCpu, sshCpu, oursCpu <= sshCpu ? "MET" : "MISSED");
            }
        }
        Double fOurs = value("ours", "f.requests_per_s");
        Double fSsh = value("ssh", "f.requests_per_s");
        if (fOurs != null && fSsh != null) {
            double r = fOurs / fSsh;
            line("  (f) req/s ours >= 1.0 x ssh -R: %.2f x -> %s", r, r >= 1.0 ? "MET" : "MISSED");
        }
        Double p50 = diff("c.p50_ms");
        Double p99 = diff("c.p99_ms");
        if (p50 != null && p99 != null) {
            line(
                    "  (c) added latency over direct p50 <= 0.5 ms: %+.3f ms -> %s; p99 <= 5 ms: %+.3f ms -> %s",
                    p50, p50 <= 0.5 ? "MET" : "MISSED", p99, p99 <= 5 ? "MET" : "MISSED");
        }
        Map<String, String> ours = byPath.get("ours");
        if (ours != null && ours.containsKey("d.succeeded")) {
            double ok = value("ours", "d.succeeded");
            double n = value("ours", "d.streams");
            double worst = 0;
            String worstName = "-";
            for (String key : ours.keySet()) {
                if (key.startsWith("d.rss_peak_mb.") && !key.endsWith(".backend")) {
                    double mb = value("ours", key);
                    if (mb > worst) {
                        worst = mb;
                        worstName = key.substring("d.rss_peak_mb.".length());
                    }
                }
            }
            line(
                    "  (d) all %.0f streams succeed: %.0f -> %s; each of our processes <= 512 MB RSS: largest %s %.0f MB -> %s",
                    n, ok, ok == n ? "MET" : "MISSED", worstName, worst, worst <= 512 ? "MET" : "MISSED");
        }
        Map<String, Double> errors = new LinkedHashMap<>();
        for (String path : PATHS) {
            for (String w : WORKLOADS) {
                Double e = value(path, w + ".errors");
                errors.merge(path, e == null ? 0 : e, Double::sum);
            }
        }
        if (byPath.containsKey("ours")) {
            double ourErrors = errors.getOrDefault("ours", 0.0);
            line(
                    "  no errors in any workload through ours: %.0f errors -> %s",
                    ourErrors, ourErrors == 0 ? "MET" : "MISSED");
        }
        for (String path : new String[] {"direct", "ssh"}) {
            if (byPath.containsKey(path) && errors.getOrDefault(path, 0.0) > 0) {
                line("  (the reference path %s had %.0f errors: see its rows above)", label(path), errors.get(path));
            }
        }
    }

    private Double diff(String key) {
        Double ours = value("ours", key);
        Double direct = value("direct", key);
        return ours == null || direct == null ? null : ours - direct;
    }

    private static Double max(Double a, Double b) {
        return a == null ? b : b == null ? a : Math.max(a, b);
    }

    private static String label(String path) {
        return path.equals("ssh") ? "ssh -R" : path;
    }

    private static String mb(String bytes) {
        try {
            double b = Double.parseDouble(bytes);
            return b >= 1e9
                    ? String.format(Locale.ROOT, "%.0f GB", b / 1e9)
                    : String.format(Locale.ROOT, "%.0f MB", b / 1e6);
        } catch (NumberFormatException e) {
            return bytes;
        }
    }
}
