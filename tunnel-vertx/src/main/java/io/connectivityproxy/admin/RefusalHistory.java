package io.connectivityproxy.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Recent refusals from counters that only ever grow: samples of the totals by reason, taken now
 * and then, turned into how many came within the last {@code window} (for the status pages:
 * "since the start" and "recently"). Pure and thread-safe; the caller takes the samples.
 */
public final class RefusalHistory {

    private record Sample(Instant at, Map<String, Long> totals) {}

    private final Duration window;
    private final Deque<Sample> samples = new ArrayDeque<>();

    public RefusalHistory(Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        this.window = window;
    }

    /** Records the totals at {@code at}; samples older than the window are dropped, but one stays as the baseline. */
    /** Records {@code totals} now and then every {@code every}, on a Vert.x timer. */
    public void sampleEvery(
            io.vertx.core.Vertx vertx, Duration every, java.util.function.Supplier<Map<String, Long>> totals) {
        record(Instant.now(), totals.get());
        vertx.setPeriodic(every.toMillis(), id -> record(Instant.now(), totals.get()));
    }

    public synchronized void record(Instant at, Map<String, Long> totals) {
        samples.addLast(new Sample(at, Map.copyOf(totals)));
        while (samples.size() > 1) {
            Sample oldest = samples.pollFirst();
            Sample next = samples.peekFirst();
            if (!next.at().isBefore(at.minus(window)) && !next.at().equals(at.minus(window))) {
                samples.addFirst(oldest);
                break;
            }
        }
    }

    /** How many of each came since the oldest sample still kept: the totals now minus the baseline's. */
    public synchronized Map<String, Long> recent(Map<String, Long> now) {
        Map<String, Long> baseline =
                samples.isEmpty() ? Map.of() : samples.peekFirst().totals();
        Map<String, Long> out = new TreeMap<>();
        now.forEach((key, total) -> out.put(key, Math.max(0, total - baseline.getOrDefault(key, 0L))));
        return out;
    }

    /** How far back {@link #recent} reaches at {@code now}: up to the window, less shortly after the start. */
    public synchronized Duration covered(Instant now) {
        return samples.isEmpty()
                ? Duration.ZERO
                : Duration.between(samples.peekFirst().at(), now);
    }
}
