package io.connectivityproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class LivenessTrackerTest {

    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final Duration CHECK = Duration.ofMillis(250);

    private long now = 1_000_000_000L;
    private final LivenessTracker tracker = new LivenessTracker(INTERVAL, TIMEOUT, CHECK, () -> now);

    @Test
    void aSteadyNodeThatGoesSilentIsSuspectedAfterTheTimeoutAndOnlyOnce() {
        beatFor("a", Duration.ofSeconds(5));
        long silentFrom = now - INTERVAL.minus(CHECK).toNanos() - CHECK.toNanos();
        List<String> suspected = List.of();
        while (suspected.isEmpty()) {
            advance(CHECK);
            suspected = tracker.check();
        }
        assertEquals(List.of("a"), suspected);
        long silence = (now - silentFrom) / 1_000_000;
        assertTrue(silence > 3000 && silence <= 3000 + CHECK.toMillis(), "suspected after " + silence + " ms");
        for (int i = 0; i < 20; i++) {
            advance(CHECK);
            assertEquals(List.of(), tracker.check(), "a suspected node is reported once");
        }
    }

    @Test
    void aNodeThatKeepsBeatingIsNeverSuspected() {
        for (int i = 0; i < 400; i++) {
            if (i % 2 == 0) {
                tracker.heard("a");
            }
            advance(CHECK);
            assertEquals(List.of(), tracker.check());
        }
    }

    @Test
    void aNodeHeardFewerThanSteadyTimesIsLeftToHazelcast() {
        for (int i = 0; i < LivenessTracker.STEADY - 1; i++) {
            tracker.heard("starting");
            advance(INTERVAL);
        }
        assertEquals(List.of(), checkEvery(CHECK, Duration.ofSeconds(40)));
        assertEquals(-1, tracker.silentMillis("never-heard"));
    }

    @Test
    void aSuspectedNodeHeardAgainIsRoutableAndSuspectedAgainOnlyWhenSteady() {
        beatFor("a", Duration.ofSeconds(2));
        assertEquals(List.of("a"), checkEvery(CHECK, Duration.ofSeconds(4)));

        assertTrue(tracker.heard("a"), "first heartbeat after the suspicion");
        assertFalse(tracker.heard("a"));
        // Two beats are not steady yet: a second pause does not count against it.
        assertEquals(List.of(), checkEvery(CHECK, Duration.ofSeconds(10)));

        beatFor("a", Duration.ofSeconds(2));
        assertEquals(List.of("a"), checkEvery(CHECK, Duration.ofSeconds(4)));
    }

    @Test
    void aLateCheckSuspectsNobodyAndRestartsTheSilence() {
        beatFor("a", Duration.ofSeconds(2));
        beatFor("b", Duration.ofSeconds(2));
        tracker.check();
        // This process was paused for 5 s: both nodes look silent, but the heartbeats may be queued.
        advance(Duration.ofSeconds(5));
        assertEquals(List.of(), tracker.check());
        // Both stay silent from now on: suspected one timeout after the late check, not before.
        assertEquals(List.of(), checkEvery(CHECK, Duration.ofMillis(2750)));
        List<String> suspected = new java.util.ArrayList<>(checkEvery(CHECK, Duration.ofMillis(500)));
        suspected.sort(null);
        assertEquals(List.of("a", "b"), suspected);
    }

    @Test
    void aForgottenNodeIsNoLongerTracked() {
        beatFor("a", Duration.ofSeconds(2));
        assertEquals(1, tracker.tracked());
        tracker.forget("a");
        assertEquals(0, tracker.tracked());
        assertEquals(List.of(), checkEvery(CHECK, Duration.ofSeconds(10)));
    }

    @Test
    void settingsThatCannotWorkAreRefusedByName() {
        IllegalArgumentException tooShort = assertThrows(
                IllegalArgumentException.class,
                () -> LivenessTracker.validate(Duration.ofMillis(50), Duration.ofSeconds(3)));
        assertTrue(tooShort.getMessage().startsWith("cluster.liveness-interval:"), tooShort.getMessage());
        IllegalArgumentException tooTight = assertThrows(
                IllegalArgumentException.class,
                () -> LivenessTracker.validate(Duration.ofMillis(500), Duration.ofMillis(1400)));
        assertTrue(tooTight.getMessage().startsWith("cluster.liveness-timeout:"), tooTight.getMessage());
        LivenessTracker.validate(Duration.ofMillis(500), Duration.ofMillis(1500));
    }

    /** Heartbeats of {@code node} every interval, with checks between them, for {@code span}. */
    private void beatFor(String node, Duration span) {
        for (long t = 0; t < span.toNanos(); t += INTERVAL.toNanos()) {
            tracker.heard(node);
            advance(CHECK);
            assertEquals(List.of(), tracker.check());
            advance(INTERVAL.minus(CHECK));
            assertEquals(List.of(), tracker.check());
        }
    }

    /** Runs checks on schedule for {@code span}; returns every node they suspected. */
    private List<String> checkEvery(Duration period, Duration span) {
        List<String> all = new java.util.ArrayList<>();
        for (long t = 0; t < span.toNanos(); t += period.toNanos()) {
            advance(period);
            all.addAll(tracker.check());
        }
        return all;
    }

    private void advance(Duration by) {
        now += by.toNanos();
    }
}
