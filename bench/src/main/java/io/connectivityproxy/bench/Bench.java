package io.connectivityproxy.bench;

import java.util.Arrays;

/**
 * Entry point of the benchmark jar; {@code bench/run.sh} is the documented way to use it.
 *
 * <pre>
 *   backend HTTP_PORT TCP_PORT       the backend all three paths reach
 *   suite --path NAME --out FILE ... run the workloads over one path (see {@link Suite})
 *   report OUT_TXT FILE...           the comparison table of the suites' result files
 *   jfr-top FILE.jfr [N] [FROM TO]   hottest frames of a JFR recording
 *   perf-top name=pid,...            per-process summary of `perf script` output on stdin
 *   soak --duration S --nodes FILE ... the traffic, samples and summary of bench/soak.sh (see {@link Soak})
 * </pre>
 */
public final class Bench {

    private Bench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: bench backend|suite|report|jfr-top|perf-top|soak ...");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "backend" -> BenchBackend.main(rest);
            case "suite" -> Suite.main(rest);
            case "report" -> Report.main(rest);
            case "jfr-top" -> JfrTop.main(rest);
            case "perf-top" -> PerfTop.main(rest);
            case "soak" -> Soak.main(rest);
            default -> {
                System.err.println("unknown command " + args[0]);
                System.exit(2);
            }
        }
    }
}
