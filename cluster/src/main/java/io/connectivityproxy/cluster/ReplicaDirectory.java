package io.connectivityproxy.cluster;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.map.MapEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;

import io.vertx.core.Vertx;

/**
 * The tunnel-service replicas a connector can dial, each with the URL at which connectors reach
 * it through the gateway ({@code tunnel.replica-url}): node id → URL in a Hazelcast
 * ReplicatedMap, which every member holds whole, so reading it never leaves the process. A
 * replica publishes its URL once its tunnel endpoint listens and withdraws it when it stops.
 * Entries of members that left are ignored at once and purged; entries of members not admitted
 * ({@link MemberAdmission}) or with a malformed URL are ignored, so a rogue member cannot send
 * connectors elsewhere. Listeners hear the list whenever it changes: after entry events and
 * membership changes, and at least every second (admission verdicts arrive without an event).
 */
@Singleton
public class ReplicaDirectory {

    private static final Logger LOG = Logger.getLogger(ReplicaDirectory.class);
    static final String MAP_NAME = "cp.tunnel-replicas";
    /** Most replicas announced to a connector (the REPLICAS frame's limit). */
    public static final int MAX_REPLICAS = 64;
    /** Longest URL announced (the REPLICAS frame's limit). */
    public static final int MAX_URL_LENGTH = 1024;

    private static final long REFRESH_MILLIS = 1_000;

    /** A replica connectors can dial: its node id and its URL. */
    public record Replica(String nodeId, String url) {}

    private final Vertx vertx;
    private final ClusterNode node;
    private final MemberAdmission admission;
    private final List<Consumer<List<Replica>>> listeners = new CopyOnWriteArrayList<>();
    /** Entries already warned about, so a bad one is logged once, not every second. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private volatile List<Replica> current = List.of();
    private volatile boolean started;

    public ReplicaDirectory(Vertx vertx, ClusterNode node, MemberAdmission admission) {
        this.vertx = vertx;
        this.node = node;
        this.admission = admission;
    }

    /**
     * The problem with {@code url} as a replica URL, or empty when connectors can dial it: an
     * absolute {@code wss://} URL with a host, at most {@link #MAX_URL_LENGTH} bytes.
     */
    public static Optional<String> problem(String url) {
        if (url.length() > MAX_URL_LENGTH) {
            return Optional.of("longer than " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            return Optional.of("not a URL: " + e.getMessage());
        }
        if (!"wss".equals(uri.getScheme())) {
            return Optional.of("must start with wss:// (connectors dial the tunnel over TLS)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("has no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            return Optional.of("must not have a query, fragment or user info");
        }
        return Optional.empty();
    }

    /** Starts watching the directory; idempotent. Blocking: call from a worker or at startup. */
    public synchronized void start() {
        if (started) {
            return;
        }
        map().addEntryListener(new EntryListener<String, String>() {
            @Override
            public void entryAdded(EntryEvent<String, String> event) {
                refresh();
            }

            @Override
            public void entryRemoved(EntryEvent<String, String> event) {
                refresh();
            }

            @Override
            public void entryUpdated(EntryEvent<String, String> event) {
                refresh();
            }

            @Override
            public void entryEvicted(EntryEvent<String, String> event) {
                refresh();
            }

            @Override
            public void entryExpired(EntryEvent<String, String> event) {
                refresh();
            }

            @Override
            public void mapCleared(MapEvent event) {
                refresh();
            }

            @Override
            public void mapEvicted(MapEvent event) {
                refresh();
            }
        });
        node.onMemberLeft(this::purge);
        node.onMemberJoined(id -> refresh());
        vertx.setPeriodic(REFRESH_MILLIS, t -> refresh());
        started = true;
        refresh();
    }

    /** Announces this replica at {@code url} (checked with {@link #problem} by the caller). Blocking. */
    public void publish(String url) {
        map().put(node.nodeId(), url);
        refresh();
        LOG.infof("replica %s announced to connectors at %s", node.nodeId(), url);
    }

    /** Stops announcing this replica (it is shutting down). Blocking. */
    public void withdraw() {
        map().remove(node.nodeId());
        refresh();
    }

    /** The replicas connectors should hold sessions to, by node id. */
    public List<Replica> replicas() {
        return current;
    }

    /** Calls {@code listener} with the new list whenever it changes, on any thread. */
    public void onChange(Consumer<List<Replica>> listener) {
        listeners.add(listener);
    }

    private void refresh() {
        if (!node.joined()) {
            return;
        }
        List<Replica> next;
        synchronized (this) {
            next = read();
            if (next.equals(current)) {
                return;
            }
            current = next;
        }
        LOG.debugf("tunnel-service replicas: %s", next);
        for (Consumer<List<Replica>> listener : listeners) {
            listener.accept(next);
        }
    }

    private List<Replica> read() {
        Set<String> members = node.members();
        List<Replica> replicas = new ArrayList<>();
        for (Map.Entry<String, String> entry : map().entrySet()) {
            String nodeId = entry.getKey();
            String url = entry.getValue();
            if (!members.contains(nodeId) || !admission.admitted(nodeId)) {
                continue;
            }
            Optional<String> problem =
                    nodeId.isEmpty() || nodeId.length() > 255 ? Optional.of("its node id is not usable") : problem(url);
            if (problem.isPresent()) {
                if (warned.add(nodeId + "|" + url)) {
                    LOG.warnf(
                            "ignoring the replica URL member %s announced (%s): %s",
                            nodeId, node.addressOf(nodeId).orElse("address unknown"), problem.get());
                }
                continue;
            }
            replicas.add(new Replica(nodeId, url));
        }
        replicas.sort(Comparator.comparing(Replica::nodeId));
        if (replicas.size() > MAX_REPLICAS) {
            if (warned.add("too-many")) {
                LOG.warnf(
                        "%d tunnel-service replicas announce URLs; connectors are told about the first %d",
                        replicas.size(), MAX_REPLICAS);
            }
            return List.copyOf(replicas.subList(0, MAX_REPLICAS));
        }
        return List.copyOf(replicas);
    }

    private void purge(String nodeId) {
        refresh();
        vertx.executeBlocking(
                        () -> {
                            map().remove(nodeId);
                            return null;
                        },
                        false)
                .onFailure(e -> LOG.debugf("could not purge the replica entry of %s: %s", nodeId, e.getMessage()));
    }

    private ReplicatedMap<String, String> map() {
        return node.hazelcast().getReplicatedMap(MAP_NAME);
    }
}
