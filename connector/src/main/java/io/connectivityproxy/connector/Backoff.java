package io.connectivityproxy.connector;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays of one session. Normally exponential backoff with full jitter and a cap (each
 * delay is uniform in [0, min(cap, initial * 2^step)]), so a fleet of connectors that lost the
 * same endpoint does not come back in lockstep.
 *
 * <p>After the loss of an established session (one that had HELLO_OK) a <em>fast phase</em>
 * comes first: for {@code fastPhase} from the first delay after the loss, each delay is uniform
 * in [fastMaxDelay / 6, fastMaxDelay], so a single tunnel-service that is back is found within
 * {@code fastMaxDelay} of being ready; the floor and the jitter keep a fleet from synchronising,
 * at about 1.14 attempts per second and session. When the phase is over the exponential schedule
 * continues from its initial ceiling. A session that has never been established (first start,
 * wrong URL) has no fast phase, and neither does one that tunnel-service refused ({@link
 * #refused()}): a connector that is turned away must not knock once a second.
 */
final class Backoff {

    private final long initialMillis;
    private final long capMillis;
    private final long fastPhaseNanos;
    private final long fastMinMillis;
    private final long fastMaxMillis;
    private final RandomGenerator random;
    private final LongSupplier nanoTime;
    /** Delays handed out since the last {@link #reset()}. */
    private int attempt;
    /** Exponential delays handed out since the last reset or the end of the fast phase. */
    private int step;
    /** A session was established and has not been followed by a delay yet. */
    private boolean established;
    /** In the fast phase: the last delay was a fast one. */
    private boolean fast;
    /** When the fast phase ends, on {@link #nanoTime}'s scale; meaningful while {@link #fast}. */
    private long fastUntil;

    /** Exponential backoff only (no fast phase), on the system's clock. */
    Backoff(Duration initial, Duration cap, RandomGenerator random) {
        this(initial, cap, Duration.ZERO, cap, random, System::nanoTime);
    }

    /**
     * Exponential backoff from {@code initial} up to {@code cap}, preceded after the loss of an
     * established session by a fast phase of {@code fastPhase} (zero: none) with delays up to
     * {@code fastMaxDelay}. {@code nanoTime} is a monotonic clock in nanoseconds.
     */
    Backoff(
            Duration initial,
            Duration cap,
            Duration fastPhase,
            Duration fastMaxDelay,
            RandomGenerator random,
            LongSupplier nanoTime) {
        this.initialMillis = Math.max(1, initial.toMillis());
        this.capMillis = Math.max(initialMillis, cap.toMillis());
        this.fastPhaseNanos = Math.max(0, fastPhase.toNanos());
        this.fastMaxMillis = Math.max(1, fastMaxDelay.toMillis());
        this.fastMinMillis = fastMaxMillis / 6;
        this.random = random;
        this.nanoTime = nanoTime;
    }

    /**
     * The delay before the next attempt. The first delay after an established session was lost
     * starts the fast phase; outside it, each call doubles the ceiling up to the cap.
     */
    long nextDelayMillis() {
        attempt++;
        if (established) {
            established = false;
            if (fastPhaseNanos > 0) {
                fast = true;
                fastUntil = nanoTime.getAsLong() + fastPhaseNanos;
            }
        }
        if (fast && nanoTime.getAsLong() - fastUntil < 0) {
            return fastMinMillis + random.nextLong(fastMaxMillis - fastMinMillis + 1);
        }
        fast = false;
        long ceiling = step >= 30 ? capMillis : Math.min(capMillis, initialMillis << step);
        step++;
        return random.nextLong(ceiling + 1);
    }

    /** A session was established: start again from the initial ceiling, with a fast phase at its loss. */
    void reset() {
        attempt = 0;
        step = 0;
        fast = false;
        established = true;
    }

    /**
     * tunnel-service turned this session away (HTTP 4xx, a refused HELLO): no fast phase until a
     * session is established again; the exponential schedule goes on from where it is.
     */
    void refused() {
        fast = false;
        established = false;
    }

    /** Delays handed out since the last {@link #reset()}. */
    int attempt() {
        return attempt;
    }

    /** True when the last delay was one of the fast phase. */
    boolean fast() {
        return fast;
    }
}
