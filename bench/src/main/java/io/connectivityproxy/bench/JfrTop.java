package io.connectivityproxy.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * What a JFR recording says about where a process spent its time, for the window in which the
 * measured workloads ran ({@code FROM_MS TO_MS}, epoch milliseconds; the whole recording when
 * absent): CPU load, garbage collection, the hottest frames of {@code jdk.ExecutionSample}, the
 * project's own frames nearest the top of those stacks, the busiest threads, the frames of
 * threads sampled in native code (idle waits left out), and where memory was allocated.
 *
 * <p>Usage: {@code jfr-top FILE.jfr [LIMIT] [FROM_MS TO_MS]}
 */
final class JfrTop {

    private final Map<String, Double> top = new HashMap<>();
    private final Map<String, Double> ours = new HashMap<>();
    private final Map<String, Double> threads = new HashMap<>();
    private final Map<String, Double> nativeTop = new HashMap<>();
    private final Map<String, Double> allocByClass = new HashMap<>();
    private final Map<String, Double> allocByOurs = new HashMap<>();
    private int samples;
    private int nativeSamples;
    private int cpuLoads;
    private double jvmUser;
    private double jvmSystem;
    private double machine;
    private int collections;
    private double pauseMillis;
    private double gcCpuMillis;
    private double allocated;

    private JfrTop() {}

    public static void main(String[] args) throws Exception {
        int limit = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        Instant from = args.length > 3 ? Instant.ofEpochMilli(Long.parseLong(args[2])) : Instant.MIN;
        Instant to = args.length > 3 ? Instant.ofEpochMilli(Long.parseLong(args[3])) : Instant.MAX;
        JfrTop jfr = new JfrTop();
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getStartTime().isBefore(from) && !event.getStartTime().isAfter(to)) {
                jfr.add(event);
            }
        }
        jfr.print(args[0] + (args.length > 3 ? " (measured workloads only)" : ""), limit);
    }

    private void add(RecordedEvent event) {
        switch (event.getEventType().getName()) {
            case "jdk.ExecutionSample" -> execution(event);
            case "jdk.NativeMethodSample" -> nativeSample(event);
            case "jdk.CPULoad" -> {
                cpuLoads++;
                jvmUser += event.getFloat("jvmUser");
                jvmSystem += event.getFloat("jvmSystem");
                machine += event.getFloat("machineTotal");
            }
            case "jdk.GarbageCollection" -> {
                collections++;
                pauseMillis += event.getDuration("sumOfPauses").toNanos() / 1e6;
            }
            case "jdk.GCCPUTime" -> gcCpuMillis += (event.getLong("userTime") + event.getLong("systemTime")) / 1e6;
            case "jdk.ObjectAllocationSample" -> allocation(event);
            default -> {}
        }
    }

    private void execution(RecordedEvent event) {
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
            return;
        }
        samples++;
        List<RecordedFrame> frames = stack.getFrames();
        top.merge(name(frames.get(0)), 1.0, Double::sum);
        ours.merge(firstProjectFrame(frames), 1.0, Double::sum);
        var thread = event.getThread("sampledThread");
        threads.merge(thread == null ? "?" : thread.getJavaName().replaceAll("-\\d+$", "-N"), 1.0, Double::sum);
    }

    private void nativeSample(RecordedEvent event) {
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
            return;
        }
        String frame = name(stack.getFrames().get(0));
        // Threads parked in the selector, in accept or in sleep are idle, not busy in native code.
        if (frame.contains("EPoll.wait")
                || frame.contains("accept")
                || frame.contains("Thread.sleep")
                || frame.contains("socketAccept")
                || frame.contains("waitForReferencePendingList")) {
            return;
        }
        nativeSamples++;
        nativeTop.merge(frame + " <- " + firstProjectFrame(stack.getFrames()), 1.0, Double::sum);
    }

    private void allocation(RecordedEvent event) {
        double weight = event.getLong("weight");
        allocated += weight;
        RecordedClass type = event.getClass("objectClass");
        allocByClass.merge(type == null ? "?" : type.getName(), weight, Double::sum);
        RecordedStackTrace stack = event.getStackTrace();
        if (stack != null) {
            allocByOurs.merge(firstProjectFrame(stack.getFrames()), weight, Double::sum);
        }
    }

    private static String firstProjectFrame(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            if (frame.getMethod().getType().getName().startsWith("io.connectivityproxy.")) {
                return name(frame);
            }
        }
        return "(no project frame: Vert.x/Netty/JDK only)";
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName().replaceAll("\\$\\$Lambda\\$.*", "\\$Lambda") + "."
                + frame.getMethod().getName();
    }

    private void print(String title, int limit) {
        System.out.println(title);
        if (cpuLoads > 0) {
            System.out.printf(
                    Locale.ROOT,
                    "  CPU (jdk.CPULoad, share of the whole machine): process user %.0f%%, system %.0f%%;"
                            + " machine %.0f%%%n",
                    100 * jvmUser / cpuLoads,
                    100 * jvmSystem / cpuLoads,
                    100 * machine / cpuLoads);
        }
        System.out.printf(
                Locale.ROOT,
                "  GC: %d collections, %.0f ms paused, %.0f ms GC CPU; about %.0f MB allocated%n",
                collections,
                pauseMillis,
                gcCpuMillis,
                allocated / 1e6);
        print("hottest frames (jdk.ExecutionSample, " + samples + " samples)", top, samples, limit);
        print("first project frame on those stacks", ours, samples, limit);
        print("threads", threads, samples, 5);
        print(
                "busy in native code (jdk.NativeMethodSample, " + nativeSamples + " samples, idle waits left out)",
                nativeTop,
                nativeSamples,
                6);
        print(
                "allocation by class (share of about " + Math.round(allocated / 1e6) + " MB)",
                allocByClass,
                allocated,
                6);
        print("allocation by first project frame", allocByOurs, allocated, 8);
    }

    private static void print(String title, Map<String, Double> counts, double total, int limit) {
        System.out.println("  " + title + ":");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> System.out.printf(
                        Locale.ROOT, "    %5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getKey()));
    }
}
