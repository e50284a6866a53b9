package io.connectivityproxy.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Which tunnel-service nodes have gone silent on the event bus. Every tunnel-service publishes a
 * heartbeat each {@code cluster.liveness-interval}; a node heard steadily that then says nothing
 * for {@code cluster.liveness-timeout} is suspected, so proxy-service stops routing to it and
 * fails its streams well before Hazelcast's failure timeout removes the member (a frozen or
 * cut-off node, whose connections stay open and silent).
 *
 * <p>A node is only suspected once it has been heard {@value #STEADY} times since it was first
 * heard or last suspected: a node never heard (an older version without heartbeats) is left to
 * Hazelcast, and a node just heard again after a pause is not suspected on its first late beat.
 * A check that itself runs late (this process paused: GC, a starved CPU) suspects nobody and
 * restarts every node's silence, because the heartbeats may be waiting behind the pause.
 *
 * <p>Pure and not thread-safe: one event-loop context calls it; time comes from the clock.
 */
public final class LivenessTracker {

    /** Heartbeats in a row before silence counts against a node. */
    static final int STEADY = 3;

    private final long timeoutNanos;
    private final long lateNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Peer> peers = new HashMap<>();
    private long lastCheck = Long.MIN_VALUE;

    private static final class Peer {
        long lastHeard;
        int heard;
        boolean suspected;
    }

    /**
     * @param interval how often nodes send a heartbeat
     * @param timeout silence after which a steady node is suspected; at least three intervals
     * @param checkPeriod how often {@link #check()} is called
     * @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime} in production)
     */
    public LivenessTracker(Duration interval, Duration timeout, Duration checkPeriod, LongSupplier nanoClock) {
        validate(interval, timeout);
        this.timeoutNanos = timeout.toNanos();
        // A check this much behind its schedule means this process did not run for a while.
        this.lateNanos = checkPeriod.toNanos() + timeout.toNanos() / 4;
        this.nanoClock = nanoClock;
    }

    /** Fails with a message naming the setting when the pair cannot work. */
    public static void validate(Duration interval, Duration timeout) {
        if (interval.toMillis() < 100) {
            throw new IllegalArgumentException(
                    "cluster.liveness-interval: must be at least 100ms, got " + interval.toMillis() + "ms");
        }
        if (timeout.compareTo(interval.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException(
                    "cluster.liveness-timeout: must be at least 3 x cluster.liveness-interval ("
                            + interval.multipliedBy(3).toMillis() + "ms), got " + timeout.toMillis() + "ms");
        }
    }

    /** A heartbeat of {@code nodeId} arrived; true when it was suspected until now. */
    public boolean heard(String nodeId) {
        Peer peer = peers.computeIfAbsent(nodeId, id -> new Peer());
        peer.lastHeard = nanoClock.getAsLong();
        peer.heard = Math.min(STEADY, peer.heard + 1);
        if (peer.suspected) {
            peer.suspected = false;
            peer.heard = 1;
            return true;
        }
        return false;
    }

    /** Looks at every node's silence; returns the nodes suspected by this check. */
    public List<String> check() {
        long now = nanoClock.getAsLong();
        boolean late = lastCheck != Long.MIN_VALUE && now - lastCheck > lateNanos;
        lastCheck = now;
        List<String> suspected = new ArrayList<>();
        for (Map.Entry<String, Peer> entry : peers.entrySet()) {
            Peer peer = entry.getValue();
            if (peer.suspected) {
                continue;
            }
            if (late) {
                peer.lastHeard = now;
            } else if (peer.heard >= STEADY && now - peer.lastHeard > timeoutNanos) {
                peer.suspected = true;
                peer.heard = 0;
                suspected.add(entry.getKey());
            }
        }
        return suspected;
    }

    /** How long {@code nodeId} has been silent, in milliseconds; -1 when never heard. */
    public long silentMillis(String nodeId) {
        Peer peer = peers.get(nodeId);
        return peer == null ? -1 : (nanoClock.getAsLong() - peer.lastHeard) / 1_000_000;
    }

    /** The node left the cluster: nothing more to track. */
    public void forget(String nodeId) {
        peers.remove(nodeId);
    }

    /** Nodes tracked now (heard at least once and not forgotten). */
    public int tracked() {
        return peers.size();
    }
}
