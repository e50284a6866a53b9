package io.connectivityproxy.connector;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential backoff with full jitter and a cap (each delay is uniform in
 * [0, min(cap, initial * 2^attempt)]), so a fleet of connectors that lost the same endpoint
 * does not come back in lockstep.
 */
final class Backoff {

    private final long initialMillis;
    private final long capMillis;
    private final RandomGenerator random;
    private int attempt;

    Backoff(Duration initial, Duration cap, RandomGenerator random) {
        this.initialMillis = Math.max(1, initial.toMillis());
        this.capMillis = Math.max(initialMillis, cap.toMillis());
        this.random = random;
    }

    /** The delay before the next attempt; each call doubles the ceiling up to the cap. */
    long nextDelayMillis() {
        long ceiling = attempt >= 30 ? capMillis : Math.min(capMillis, initialMillis << attempt);
        attempt++;
        return random.nextLong(ceiling + 1);
    }

    /** A session was established: start again from the initial ceiling. */
    void reset() {
        attempt = 0;
    }

    int attempt() {
        return attempt;
    }
}
