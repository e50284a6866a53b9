package io.connectivityproxy.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where each process's CPU went, from {@code perf script -F comm,pid,tid,ip,sym,dso} on stdin
 * (cpu-clock samples of the whole process: kernel, JVM, GC, JIT compiler and JIT code alike):
 * per process the share of samples by kind of thread, by kind of code, and the top symbols.
 *
 * <p>Usage: {@code perf script ... | perf-top name=pid,name=pid [LIMIT]}
 */
final class PerfTop {

    private static final Pattern LINE =
            Pattern.compile("^\\s*(.+?)\\s+(\\d+)/(\\d+)\\s+([0-9a-f]+)\\s+(.*)\\s+\\(([^()]*)\\)\\s*$");

    private PerfTop() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> names = new LinkedHashMap<>();
        for (String entry : args[0].split(",")) {
            String[] kv = entry.split("=");
            names.put(kv[1], kv[0]);
        }
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Map<String, Map<String, Integer>> threads = new HashMap<>();
        Map<String, Map<String, Integer>> kinds = new HashMap<>();
        Map<String, Map<String, Integer>> symbols = new HashMap<>();
        Map<String, Integer> totals = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !names.containsKey(m.group(2))) {
                continue;
            }
            String process = m.group(2);
            totals.merge(process, 1, Integer::sum);
            threads.computeIfAbsent(process, k -> new HashMap<>()).merge(threadKind(m.group(1)), 1, Integer::sum);
            String kind = codeKind(m.group(6), m.group(5));
            kinds.computeIfAbsent(process, k -> new HashMap<>()).merge(kind, 1, Integer::sum);
            String symbol =
                    m.group(5).replaceAll("\\$\\$Lambda\\$[^.]*", "\\$Lambda").replaceAll("\\(.*", "");
            symbols.computeIfAbsent(process, k -> new HashMap<>())
                    .merge(shortKind(kind) + " " + symbol, 1, Integer::sum);
        }
        int all = totals.values().stream().mapToInt(Integer::intValue).sum();
        names.forEach((pid, name) -> {
            int total = totals.getOrDefault(pid, 0);
            System.out.printf(
                    Locale.ROOT,
                    "  %s (pid %s): %d samples, %.0f%% of the three processes' samples%n",
                    name,
                    pid,
                    total,
                    100.0 * total / Math.max(1, all));
            print("by thread", threads.get(pid), total, 6);
            print("by code", kinds.get(pid), total, 6);
            print("top symbols", symbols.get(pid), total, limit);
        });
    }

    private static String threadKind(String comm) {
        if (comm.startsWith("vert.x-eventloo")) {
            return "Vert.x event loops";
        } else if (comm.startsWith("C2 Compiler") || comm.startsWith("C1 Compiler")) {
            return "JIT compiler threads";
        } else if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
            return "GC threads";
        } else if (comm.startsWith("hz.")) {
            return "Hazelcast threads";
        }
        return "other: " + comm;
    }

    private static String codeKind(String dso, String symbol) {
        if (dso.contains("kernel")) {
            return "kernel (syscalls, TCP/IP, scheduler)";
        } else if (dso.startsWith("/tmp/perf-") || dso.contains("[JIT]")) {
            return symbol.startsWith("StubRoutines")
                    ? "JIT stubs (arraycopy, fill, crypto intrinsics)"
                    : symbol.equals("Interpreter") ? "interpreter" : "JIT-compiled Java";
        } else if (dso.endsWith("libjvm.so")) {
            return "libjvm (GC, compiler, runtime)";
        }
        return "other native (" + dso.replaceAll(".*/", "") + ")";
    }

    private static String shortKind(String kind) {
        if (kind.startsWith("kernel")) {
            return "[k]";
        } else if (kind.startsWith("libjvm")) {
            return "[jvm]";
        } else if (kind.startsWith("JIT") || kind.equals("interpreter")) {
            return "[java]";
        }
        return "[native]";
    }

    private static void print(String title, Map<String, Integer> counts, int total, int limit) {
        if (counts == null) {
            return;
        }
        System.out.println("    " + title + ":");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> System.out.printf(
                        Locale.ROOT,
                        "      %5.1f%%  %s%n",
                        100.0 * e.getValue() / Math.max(1, total),
                        e.getKey().length() > 150 ? e.getKey().substring(0, 150) : e.getKey()));
    }
}
