package io.connectivityproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a soak saw, for {@link Soak}'s summary: every failed operation with the nodes on its path,
 * the restarts {@code bench/soak.sh} wrote to its events file, and the memory and open files of
 * every process instance at each sample. A failure is <em>expected</em> when it overlaps the
 * restart window of a node on its path: from the signal to the moment the script saw the system
 * whole again (every node ready, every connector session registered on every proxy-service),
 * plus a grace period. Anything else is unexpected.
 */
final class SoakRecord {

    static final List<String> KINDS = List.of("download", "small", "socks", "channel");

    /** One failed operation, with the nodes that may have carried it. */
    record Failure(String kind, long startMs, long endMs, Set<String> path, String message) {}

    /** One restart of a node, from the events file. */
    record Restart(String node, String signal, long beginMs, long exitMs, int exitCode, long wholeMs) {
        boolean overlaps(Failure failure, long graceMs) {
            return path(failure) && failure.endMs() >= beginMs && failure.startMs() <= wholeMs + graceMs;
        }

        private boolean path(Failure failure) {
            return failure.path().contains(node);
        }
    }

    /** One reading of one process. */
    record Sample(long elapsedMs, double rssMb, int openFiles) {}

    /** A process as one pid: a restarted node is a new instance. */
    record Instance(String name, long pid, List<Sample> samples) {}

    private final Map<String, AtomicLong> ok = new LinkedHashMap<>();
    private final Map<String, AtomicLong> failed = new LinkedHashMap<>();
    private final Map<String, AtomicLong> okTotal = new LinkedHashMap<>();
    private final List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Instance> instances = new LinkedHashMap<>();

    SoakRecord() {
        for (String kind : KINDS) {
            ok.put(kind, new AtomicLong());
            failed.put(kind, new AtomicLong());
            okTotal.put(kind, new AtomicLong());
        }
    }

    void ok(String kind) {
        ok.get(kind).incrementAndGet();
        okTotal.get(kind).incrementAndGet();
    }

    void failed(Failure failure) {
        failed.get(failure.kind()).incrementAndGet();
        failures.add(failure);
    }

    /** Per kind, "ok/failed" since the last call. */
    Map<String, String> takeInterval() {
        Map<String, String> counts = new LinkedHashMap<>();
        for (String kind : KINDS) {
            counts.put(kind, ok.get(kind).getAndSet(0) + "/" + failed.get(kind).getAndSet(0));
        }
        return counts;
    }

    synchronized void sample(String name, long pid, Sample sample) {
        instances
                .computeIfAbsent(name + "#" + pid, key -> new Instance(name, pid, new ArrayList<>()))
                .samples()
                .add(sample);
    }

    long okTotal(String kind) {
        return okTotal.get(kind).get();
    }

    List<Failure> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    synchronized List<Instance> instances() {
        return List.copyOf(instances.values());
    }

    /**
     * The restarts in the events file: lines {@code MS begin NODE SIGNAL}, {@code MS exit NODE CODE},
     * {@code MS whole NODE} and {@code MS failed NODE WHY} (a node that did not come back: its window
     * never ends).
     */
    static List<Restart> restarts(Path events) throws IOException {
        List<Restart> restarts = new ArrayList<>();
        Map<String, long[]> open = new TreeMap<>();
        Map<String, String> signals = new TreeMap<>();
        if (!Files.exists(events)) {
            return restarts;
        }
        for (String line : Files.readAllLines(events)) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3) {
                continue;
            }
            long ms = Long.parseLong(f[0]);
            String node = f[2];
            switch (f[1]) {
                case "begin" -> {
                    open.put(node, new long[] {ms, -1, -1});
                    signals.put(node, f.length > 3 ? f[3] : "?");
                }
                case "exit" -> {
                    long[] r = open.get(node);
                    if (r != null) {
                        r[1] = ms;
                        r[2] = Long.parseLong(f[3]);
                    }
                }
                case "whole", "failed" -> {
                    long[] r = open.remove(node);
                    if (r != null) {
                        long whole = f[1].equals("whole") ? ms : Long.MAX_VALUE / 2;
                        restarts.add(new Restart(node, signals.get(node), r[0], r[1], (int) r[2], whole));
                    }
                }
                default -> {}
            }
        }
        // A restart still under way when the soak ended: its window lasts to the end.
        open.forEach((node, r) ->
                restarts.add(new Restart(node, signals.get(node), r[0], r[1], (int) r[2], Long.MAX_VALUE / 2)));
        restarts.sort((a, b) -> Long.compare(a.beginMs(), b.beginMs()));
        return restarts;
    }

    /** The restarts whose window a failure overlaps on its path; empty: the failure is unexpected. */
    static Set<Restart> explaining(Failure failure, List<Restart> restarts, long graceMs) {
        Set<Restart> explaining = new LinkedHashSet<>();
        for (Restart restart : restarts) {
            if (restart.overlaps(failure, graceMs)) {
                explaining.add(restart);
            }
        }
        return explaining;
    }

    /** A failure message with its numbers taken out, to group failures of one cause. */
    static String cause(String message) {
        return message.replaceAll("[0-9]+", "N");
    }

    /**
     * Whether an instance's open files grow without bound: the fewest in the last third of its
     * samples exceed the most in the first third by more than half, and by more than 20. Load
     * moves the count up and down; a leak only moves it up. Needs six samples.
     */
    static boolean openFilesGrow(Instance instance) {
        List<Sample> samples =
                instance.samples().stream().filter(s -> s.openFiles() >= 0).toList();
        if (samples.size() < 6) {
            return false;
        }
        int third = samples.size() / 3;
        int firstMax = samples.subList(0, third).stream()
                .mapToInt(Sample::openFiles)
                .max()
                .orElse(0);
        int lastMin = samples.subList(samples.size() - third, samples.size()).stream()
                .mapToInt(Sample::openFiles)
                .min()
                .orElse(0);
        return lastMin > firstMax + Math.max(20, firstMax / 2);
    }
}
