package io.connectivityproxy.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reconnect delays: exponential ceiling, capped, full jitter below it; and the fast phase after
 * the loss of an established session. Pure and seeded: time is a simulated clock, no sleeps.
 */
class BackoffTest {

    private static final Duration INITIAL = Duration.ofSeconds(1);
    private static final Duration CAP = Duration.ofSeconds(30);
    private static final Duration FAST_PHASE = Duration.ofSeconds(60);
    private static final Duration FAST_MAX = Duration.ofMillis(1500);
    private static final int FLEET = 1000;

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

    // ---- the fast phase after the loss of an established session --------------------------

    /**
     * One connector session with the product defaults (1 s, 30 s, fast phase 60 s up to 1.5 s) on
     * a simulated clock: {@link #attempt()} waits out the next delay and says when the attempt is.
     */
    private static final class SimulatedSession {
        final RecordingRandom random;
        final Backoff backoff;
        long nowMillis;

        SimulatedSession(long seed) {
            this(seed, FAST_PHASE);
        }

        SimulatedSession(long seed, Duration fastPhase) {
            this.random = new RecordingRandom(seed);
            this.backoff = new Backoff(INITIAL, CAP, fastPhase, FAST_MAX, random, () -> nowMillis * 1_000_000);
        }

        /** HELLO_OK at {@code atMillis}. */
        SimulatedSession establishedAt(long atMillis) {
            nowMillis = atMillis;
            backoff.reset();
            return this;
        }

        /** The established session is lost at {@code atMillis}; the next delay is chosen then. */
        SimulatedSession lostAt(long atMillis) {
            nowMillis = atMillis;
            return this;
        }

        /** The time of the next attempt: now plus the next delay. */
        long attempt() {
            nowMillis += backoff.nextDelayMillis();
            return nowMillis;
        }
    }

    /**
     * A thousand connectors lose their single tunnel-service at the same instant (t = 0, all
     * established). Whenever it is back within the fast phase, each finds it within fastMaxDelay:
     * its first attempt at or after the return is at most 1.5 s later.
     */
    @ParameterizedTest
    @ValueSource(longs = {5_000, 30_000, 58_000})
    void aTunnelServiceBackWithinTheFastPhaseIsFoundWithinFastMaxDelay(long outageMillis) {
        Random seeds = new Random(outageMillis);
        long worst = 0;
        long sum = 0;
        for (int connector = 0; connector < FLEET; connector++) {
            SimulatedSession session = new SimulatedSession(seeds.nextLong())
                    .establishedAt(-3_600_000)
                    .lostAt(0);
            long at;
            do {
                at = session.attempt();
            } while (at < outageMillis);
            long afterReturn = at - outageMillis;
            assertTrue(afterReturn <= FAST_MAX.toMillis(), "connector " + connector + ": " + afterReturn + " ms");
            worst = Math.max(worst, afterReturn);
            sum += afterReturn;
        }
        System.out.printf(
                "outage %d s: the fleet was back %d ms after the return on average, %d ms at worst%n",
                outageMillis / 1000, sum / FLEET, worst);
        // Not all at the same instant either: the returns spread over most of the window.
        assertTrue(worst > FAST_MAX.toMillis() / 2, "latest return " + worst + " ms");
    }

    /**
     * During the fast phase the fleet knocks about 1,140 times a second (1,000 connectors, one
     * attempt every 0.875 s on average), spread out: no 100 ms holds a fifth of the fleet.
     */
    @Test
    void aThousandConnectorsInTheFastPhaseDoNotSynchronise() {
        int[] per100Millis = new int[600];
        Random seeds = new Random(2026);
        long attempts = 0;
        for (int connector = 0; connector < FLEET; connector++) {
            SimulatedSession session =
                    new SimulatedSession(seeds.nextLong()).establishedAt(-1).lostAt(0);
            for (long at = session.attempt(); at < FAST_PHASE.toMillis(); at = session.attempt()) {
                per100Millis[(int) (at / 100)]++;
                attempts++;
            }
        }
        long perSecond = attempts / FAST_PHASE.toSeconds();
        int busiest = busiest(per100Millis, 0, per100Millis.length, 1);
        System.out.printf(
                "fast phase: %d attempts/s from %d connectors, busiest 100 ms %d attempts%n",
                perSecond, FLEET, busiest);
        assertTrue(busiest <= FLEET / 5, "busiest 100 ms of the fast phase: " + busiest);
        // 1000 / E[U(0.25 s, 1.5 s)] = 1000 / 0.875 s = 1143 per second.
        assertTrue(perSecond >= 1_050 && perSecond <= 1_250, perSecond + " attempts/s");
        // Nothing in the first 250 ms (the floor), then never an empty 100 ms: no lockstep waves.
        assertEquals(0, per100Millis[0] + per100Millis[1]);
        for (int bucket = 3; bucket < per100Millis.length; bucket++) {
            assertTrue(
                    per100Millis[bucket] > FLEET / 50, "100 ms from " + bucket * 100 + " ms: " + per100Millis[bucket]);
        }
    }

    /**
     * A ten-minute outage: after 60 s the fast phase is over and the exponential schedule takes
     * over from its initial ceiling, so the fleet's attempts fall to what they are today.
     */
    @Test
    void afterTheFastPhaseTheExponentialScheduleTakesOver() {
        long outageMillis = 600_000;
        int[] perSecond = new int[600];
        Random seeds = new Random(600);
        long afterPhase = 0;
        for (int connector = 0; connector < FLEET; connector++) {
            SimulatedSession session =
                    new SimulatedSession(seeds.nextLong()).establishedAt(-1).lostAt(0);
            List<Long> starts = new ArrayList<>();
            for (long start = 0; start < outageMillis; start = session.attempt()) {
                starts.add(start);
                if (start > 0) {
                    perSecond[(int) (start / 1000)]++;
                    afterPhase += start >= FAST_PHASE.toMillis() ? 1 : 0;
                }
            }
            // Each delay chosen before 60 s is a fast one; from then on the ceilings double from 1 s.
            List<Long> bounds = session.random.bounds;
            int fast = 0;
            while (starts.get(fast) < FAST_PHASE.toMillis()) {
                assertEquals(1251L, bounds.get(fast), "connector " + connector + ", delay " + fast);
                fast++;
            }
            assertEquals(
                    List.of(1001L, 2001L, 4001L, 8001L, 16001L, 30001L),
                    bounds.subList(fast, Math.min(bounds.size(), fast + 6)),
                    "connector " + connector);
            assertTrue(bounds.subList(fast + 6, bounds.size()).stream().allMatch(b -> b == 30001L));
        }
        double perConnector = (double) afterPhase / FLEET;
        int busiestAtCap = busiest(perSecond, 92, perSecond.length, 1);
        System.out.printf(
                "10 min outage: %.1f attempts per connector after the fast phase, busiest second at the cap %d%n",
                perConnector, busiestAtCap);
        // About 5 on the way up to the cap and one per 15 s on average at it: ~39 in 540 s, where
        // staying fast would have cost over 600.
        assertTrue(perConnector > 30 && perConnector < 48, perConnector + " attempts per connector");
        assertTrue(busiestAtCap <= FLEET / 8, "busiest second once at the cap: " + busiestAtCap);
    }

    /** Re-established, lost again: a new fast phase begins at the new loss, not at the old one. */
    @Test
    void aSessionEstablishedAgainGetsANewFastPhaseAtItsNextLoss() {
        SimulatedSession session = new SimulatedSession(13).establishedAt(0).lostAt(0);
        long at;
        do {
            at = session.attempt();
        } while (at < 600_000);
        session.establishedAt(session.nowMillis);
        assertEquals(0, session.backoff.attempt());
        session.lostAt(900_000);
        session.random.bounds.clear();
        int fast = 0;
        while (session.nowMillis < 900_000 + FAST_PHASE.toMillis()) {
            long start = session.nowMillis;
            long delay = session.attempt() - start;
            assertTrue(delay >= 250 && delay <= 1500, "fast delay " + delay);
            assertTrue(session.backoff.fast());
            fast++;
        }
        assertTrue(fast > 40 && fast < 240, fast + " fast attempts in 60 s");
        session.attempt();
        session.attempt();
        assertFalse(session.backoff.fast());
        assertEquals(List.of(1001L, 2001L), session.random.bounds.subList(fast, fast + 2));
    }

    /** First start, wrong URL, never a HELLO_OK: exponential from the first delay, no fast phase. */
    @Test
    void aSessionNeverEstablishedHasNoFastPhase() {
        SimulatedSession session = new SimulatedSession(21);
        for (int i = 0; i < 7; i++) {
            session.attempt();
            assertFalse(session.backoff.fast());
        }
        assertEquals(List.of(1001L, 2001L, 4001L, 8001L, 16001L, 30001L, 30001L), session.random.bounds);
    }

    /** Turned away (HTTP 401, a refused HELLO) after a loss: the fast phase ends at once. */
    @Test
    void aRefusedSessionLeavesTheFastPhase() {
        SimulatedSession session = new SimulatedSession(34).establishedAt(0).lostAt(1000);
        session.attempt();
        assertTrue(session.backoff.fast());
        session.backoff.refused();
        for (int i = 0; i < 4; i++) {
            session.attempt();
            assertFalse(session.backoff.fast());
        }
        assertEquals(List.of(1251L, 1001L, 2001L, 4001L, 8001L), session.random.bounds);
        // Refused again and again (the certificate stays wrong): the ceiling keeps growing to the cap.
        for (int i = 0; i < 3; i++) {
            session.backoff.refused();
            session.attempt();
        }
        assertEquals(List.of(16001L, 30001L, 30001L), session.random.bounds.subList(5, 8));
    }

    /** reconnect.fastPhase: 0s is today's schedule after a loss too. */
    @Test
    void aZeroFastPhaseIsTheExponentialScheduleAlone() {
        SimulatedSession session =
                new SimulatedSession(55, Duration.ZERO).establishedAt(0).lostAt(0);
        for (int i = 0; i < 3; i++) {
            session.attempt();
            assertFalse(session.backoff.fast());
        }
        assertEquals(List.of(1001L, 2001L, 4001L), session.random.bounds);
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
