package io.connectivityproxy.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

/** Reconnect delays: exponential ceiling, capped, full jitter below it. */
class BackoffTest {

    /** A seeded generator that also records each draw's bound, which is the backoff's ceiling + 1. */
    private static final class RecordingRandom implements RandomGenerator {
        private final Random seeded;
        final List<Long> bounds = new ArrayList<>();

        RecordingRandom(long seed) {
            this.seeded = new Random(seed);
        }

        @Override
        public long nextLong() {
            return seeded.nextLong();
        }

        @Override
        public long nextLong(long bound) {
            bounds.add(bound);
            return seeded.nextLong(bound);
        }
    }

    @Test
    void ceilingDoublesFromTheInitialDelayUpToTheCap() {
        RecordingRandom random = new RecordingRandom(42);
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), random);
        for (int i = 0; i < 8; i++) {
            backoff.nextDelayMillis();
        }
        assertEquals(List.of(1001L, 2001L, 4001L, 8001L, 16001L, 30001L, 30001L, 30001L), random.bounds);
        assertEquals(8, backoff.attempt());
    }

    @Test
    void everyDelayIsBetweenZeroAndTheCeiling() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new Random(7));
        for (int attempt = 0; attempt < 200; attempt++) {
            long ceiling = Math.min(5000, 100L << Math.min(attempt, 30));
            long delay = backoff.nextDelayMillis();
            assertTrue(
                    delay >= 0 && delay <= ceiling,
                    "attempt " + attempt + ": " + delay + " not in [0, " + ceiling + "]");
        }
    }

    @Test
    void longInitialDelaysDoNotOverflowTheCeiling() {
        Backoff backoff = new Backoff(Duration.ofDays(1), Duration.ofDays(7), new Random(3));
        for (int attempt = 0; attempt < 100; attempt++) {
            long delay = backoff.nextDelayMillis();
            assertTrue(delay >= 0 && delay <= Duration.ofDays(7).toMillis(), "attempt " + attempt + ": " + delay);
        }
    }

    @Test
    void resetStartsFromTheInitialCeilingAgain() {
        RecordingRandom random = new RecordingRandom(1);
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), random);
        for (int i = 0; i < 6; i++) {
            backoff.nextDelayMillis();
        }
        backoff.reset();
        assertEquals(0, backoff.attempt());
        random.bounds.clear();
        backoff.nextDelayMillis();
        backoff.nextDelayMillis();
        assertEquals(List.of(1001L, 2001L), random.bounds);
    }

    @Test
    void capBelowTheInitialDelayIsTheInitialDelay() {
        RecordingRandom random = new RecordingRandom(5);
        Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), random);
        backoff.nextDelayMillis();
        backoff.nextDelayMillis();
        assertEquals(List.of(2001L, 2001L), random.bounds);
    }

    @Test
    void fullJitterSpreadsTheDelaysOverTheWholeRange() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(2024));
        for (int i = 0; i < 10; i++) {
            backoff.nextDelayMillis();
        }
        int draws = 2000;
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < draws; i++) {
            long delay = backoff.nextDelayMillis();
            sum += delay;
            min = Math.min(min, delay);
            max = Math.max(max, delay);
            distinct.add(delay);
        }
        // Uniform on [0, 30000]: a fleet reconnecting together is spread over the whole interval.
        assertTrue(min < 1500, "smallest delay " + min);
        assertTrue(max > 28500, "largest delay " + max);
        assertTrue(Math.abs(sum / draws - 15000) < 1500, "mean delay " + sum / draws);
        assertTrue(distinct.size() > draws * 9 / 10, distinct.size() + " distinct delays of " + draws);
    }

    /**
     * A thousand connectors (each with its own generator, as each process has its own SecureRandom)
     * lose tunnel-service at the same instant; it is back after 60 s. With the defaults (1 s
     * initial delay, 30 s cap) their attempts never bunch up, where a backoff without jitter would
     * send all thousand in the same millisecond, again and again.
     */
    @Test
    void aThousandConnectorsRestartingTogetherDoNotSynchronise() {
        int fleet = 1000;
        long outageMillis = 60_000;
        int[] per100Millis = new int[6000];
        long lastReconnect = 0;
        Random seeds = new Random(1000);
        for (int connector = 0; connector < fleet; connector++) {
            Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(seeds.nextLong()));
            long now = 0;
            do {
                now += backoff.nextDelayMillis();
                per100Millis[(int) (now / 100)]++;
            } while (now < outageMillis);
            lastReconnect = Math.max(lastReconnect, now);
        }
        // The first attempts fall in [0, 1 s] by design (a blip is over quickly): about 100 per 100 ms.
        assertTrue(busiest(per100Millis, 0, per100Millis.length, 1) <= fleet / 5, "busiest 100 ms of the run");
        // Once the ceiling has grown past 4 s, no 100 ms holds more than 5 % of the fleet.
        assertTrue(busiest(per100Millis, 50, per100Millis.length, 1) <= fleet / 20, "busiest 100 ms after 5 s");
        // Tunnel-service back: the fleet returns over the 30 s cap, no second with more than 10 % of it.
        assertTrue(busiest(per100Millis, 600, per100Millis.length, 10) <= fleet / 10, "busiest second of the return");
        assertTrue(lastReconnect <= outageMillis + 30_000, "all back within one cap after the outage");
    }

    /** The most attempts in {@code width} consecutive buckets starting at or after {@code from}. */
    private static int busiest(int[] buckets, int from, int to, int width) {
        int most = 0;
        for (int start = from; start + width <= to; start++) {
            int sum = 0;
            for (int i = start; i < start + width; i++) {
                sum += buckets[i];
            }
            most = Math.max(most, sum);
        }
        return most;
    }
}
