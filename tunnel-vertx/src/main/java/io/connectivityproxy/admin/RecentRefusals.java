package io.connectivityproxy.admin;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last few refused streams or connections, newest first, for the status page: when, the
 * reason code, and the message the peer was given (which never holds a secret). Bounded: the
 * oldest entry is dropped when a new one arrives at the capacity. Thread-safe.
 */
public final class RecentRefusals {

    /** One refusal. */
    public record Refusal(Instant at, String reason, String message) {}

    private final int capacity;
    private final Clock clock;
    private final Deque<Refusal> entries = new ArrayDeque<>();

    public RecentRefusals(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.clock = clock;
    }

    public synchronized void add(String reason, String message) {
        if (entries.size() == capacity) {
            entries.removeLast();
        }
        entries.addFirst(new Refusal(clock.instant(), reason, message == null ? "" : message));
    }

    /** Newest first. */
    public synchronized List<Refusal> list() {
        return new ArrayList<>(entries);
    }
}
