package io.connectivityproxy.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The processes whose memory and CPU a suite reports, read from {@code /proc}: peak RSS is
 * {@code VmHWM}, which {@code echo 5 > /proc/PID/clear_refs} resets to the current RSS so that
 * one workload's peak can be told from the whole run's. A name may stand for several processes
 * (sshd's session processes), whose values are summed. "client" is this JVM.
 */
final class Watch {

    private static final long TICKS_PER_SECOND = 100;
    private final Map<String, List<Long>> processes = new LinkedHashMap<>();

    /** {@code name=pid[+pid...],name=pid}; empty for none. */
    static Watch parse(String spec) {
        Watch watch = new Watch();
        if (spec != null && !spec.isBlank()) {
            for (String entry : spec.split(",")) {
                String[] kv = entry.split("=", 2);
                List<Long> pids = new ArrayList<>();
                for (String pid : kv[1].split("\\+")) {
                    if (!pid.isBlank()) {
                        pids.add(Long.parseLong(pid.trim()));
                    }
                }
                watch.processes.put(kv[0], pids);
            }
        }
        return watch;
    }

    Iterable<String> names() {
        return processes.keySet();
    }

    /** CPU seconds (user + system) used so far by each process, and by this client JVM. */
    Map<String, Double> cpuSeconds() {
        Map<String, Double> cpu = new LinkedHashMap<>();
        processes.forEach((name, pids) -> {
            double total = 0;
            for (long pid : pids) {
                total += cpuOf(pid);
            }
            cpu.put(name, total);
        });
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        cpu.put("client", os.getProcessCpuTime() / 1e9);
        return cpu;
    }

    /**
     * Seconds the threads of each process spent runnable but waiting for a CPU (the second field
     * of {@code /proc/PID/task/TID/schedstat}), summed over threads alive at the time of reading:
     * what queueing for the two cores costs, as opposed to the CPU time itself.
     */
    Map<String, Double> runQueueWaitSeconds() {
        Map<String, Double> waits = new LinkedHashMap<>();
        processes.forEach((name, pids) -> {
            double total = 0;
            for (long pid : pids) {
                total += runQueueWaitOf(String.valueOf(pid));
            }
            waits.put(name, total);
        });
        waits.put("client", runQueueWaitOf("self"));
        return waits;
    }

    private static double runQueueWaitOf(String pid) {
        double total = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String[] fields =
                            Files.readString(task.resolve("schedstat")).trim().split("\\s+");
                    total += Long.parseLong(fields[1]) / 1e9;
                } catch (IOException | RuntimeException e) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return total;
    }

    /** CPU seconds all processes of the machine have used since boot (from /proc/stat). */
    static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            // user nice system idle iowait irq softirq steal: everything but idle and iowait
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return busy / (double) TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Peak resident set size since start or since the last {@link #resetPeaks()}, in MB. */
    Map<String, Double> peakRssMb() {
        return statusField("VmHWM:");
    }

    Map<String, Double> rssMb() {
        return statusField("VmRSS:");
    }

    void resetPeaks() {
        processes
                .values()
                .forEach(pids -> pids.forEach(pid -> {
                    try {
                        Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
                    } catch (IOException e) {
                        System.err.println("cannot reset the peak RSS of " + pid + ": " + e.getMessage());
                    }
                }));
    }

    private Map<String, Double> statusField(String field) {
        Map<String, Double> values = new LinkedHashMap<>();
        processes.forEach((name, pids) -> {
            double total = 0;
            for (long pid : pids) {
                total += kilobytes(pid, field) / 1024.0;
            }
            values.put(name, total);
        });
        return values;
    }

    /** Entries in {@code /proc/PID/fd}: the files and sockets the process has open; -1 when it is gone. */
    static int openFiles(long pid) {
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) fds.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long kilobytes(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    private static double cpuOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / (double) TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
