package io.connectivityproxy.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.map.MapEvent;
import com.hazelcast.multimap.MultiMap;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;

/**
 * The cluster-wide registry of live connector sessions: subaccount + location id → the
 * tunnel-service nodes holding a session. Stored in a Hazelcast multimap (values
 * {@code nodeId|sessionId}); every node keeps a local replica fed by entry events, so a
 * lookup on the request path never leaves the process. Entries of a member that left are
 * ignored at once and purged by the survivors.
 */
@Singleton
public class SessionRegistry {

    private static final Logger LOG = Logger.getLogger(SessionRegistry.class);
    static final String MAP_NAME = "cp.sessions";
    private static final long RESYNC_MILLIS = 30_000;

    private final Vertx vertx;
    private final ClusterNode node;
    private final Map<String, Set<String>> replica = new ConcurrentHashMap<>();
    private volatile boolean started;

    public SessionRegistry(Vertx vertx, ClusterNode node) {
        this.vertx = vertx;
        this.node = node;
    }

    /** Starts the local replica; idempotent. Blocking: call from a worker or at startup. */
    public synchronized void start() {
        if (started) {
            return;
        }
        MultiMap<String, String> map = map();
        map.addEntryListener(new EntryListener<String, String>() {
            @Override
            public void entryAdded(EntryEvent<String, String> event) {
                replica.computeIfAbsent(event.getKey(), k -> ConcurrentHashMap.newKeySet()).add(event.getValue());
            }

            @Override
            public void entryRemoved(EntryEvent<String, String> event) {
                Set<String> values = replica.get(event.getKey());
                if (values != null) {
                    values.remove(event.getOldValue());
                }
            }

            @Override
            public void entryUpdated(EntryEvent<String, String> event) {
            }

            @Override
            public void entryEvicted(EntryEvent<String, String> event) {
                entryRemoved(event);
            }

            @Override
            public void entryExpired(EntryEvent<String, String> event) {
                entryRemoved(event);
            }

            @Override
            public void mapCleared(MapEvent event) {
                replica.clear();
            }

            @Override
            public void mapEvicted(MapEvent event) {
                replica.clear();
            }
        }, true);
        resync();
        node.onMemberLeft(this::purge);
        // Entry events are the fast path; a periodic full read repairs anything a partition lost.
        vertx.setPeriodic(RESYNC_MILLIS, t -> vertx.executeBlocking(() -> {
            resync();
            return null;
        }, false));
        started = true;
    }

    /** Replaces the replica's contents with what the cluster map holds now. Blocking. */
    private void resync() {
        Map<String, Set<String>> fresh = new java.util.HashMap<>();
        for (Map.Entry<String, String> entry : map().entrySet()) {
            fresh.computeIfAbsent(entry.getKey(), k -> ConcurrentHashMap.newKeySet()).add(entry.getValue());
        }
        replica.keySet().retainAll(fresh.keySet());
        fresh.forEach((key, values) -> replica.merge(key, values, (current, latest) -> {
            current.retainAll(latest);
            current.addAll(latest);
            return current;
        }));
    }

    /** Records a live session held by this node. */
    public Future<Void> register(SessionKey key, String sessionId) {
        String value = node.nodeId() + "|" + sessionId;
        return vertx.executeBlocking(() -> {
            map().put(key.registryKey(), value);
            return null;
        }, false);
    }

    /** Removes a session of this node; call the moment it dies. */
    public Future<Void> unregister(SessionKey key, String sessionId) {
        String value = node.nodeId() + "|" + sessionId;
        replica.computeIfPresent(key.registryKey(), (k, values) -> {
            values.remove(value);
            return values;
        });
        return vertx.executeBlocking(() -> {
            map().remove(key.registryKey(), value);
            return null;
        }, false);
    }

    /** Live nodes that hold at least one session for {@code key}; empty when none. */
    public List<String> nodesFor(SessionKey key) {
        Set<String> values = replica.get(key.registryKey());
        if (values == null || values.isEmpty()) {
            return List.of();
        }
        Set<String> members = node.members();
        List<String> nodes = new ArrayList<>();
        for (String value : values) {
            String nodeId = value.substring(0, value.indexOf('|'));
            if (members.contains(nodeId) && !nodes.contains(nodeId)) {
                nodes.add(nodeId);
            }
        }
        return nodes;
    }

    /** Every registered session: key → values {@code nodeId|sessionId}, for admin endpoints. */
    public Map<SessionKey, List<String>> snapshot() {
        Map<SessionKey, List<String>> out = new java.util.TreeMap<>(
                java.util.Comparator.comparing(SessionKey::toString));
        replica.forEach((key, values) -> {
            if (!values.isEmpty()) {
                out.put(SessionKey.fromRegistryKey(key), List.copyOf(values));
            }
        });
        return out;
    }

    private void purge(String nodeId) {
        vertx.executeBlocking(() -> {
            MultiMap<String, String> map = map();
            for (Map.Entry<String, String> entry : map.entrySet()) {
                if (entry.getValue().startsWith(nodeId + "|")) {
                    map.remove(entry.getKey(), entry.getValue());
                }
            }
            return null;
        }, false).onFailure(e -> LOG.warnf("could not purge sessions of departed node %s: %s", nodeId, e.getMessage()));
    }

    private MultiMap<String, String> map() {
        return node.hazelcast().getMultiMap(MAP_NAME);
    }
}
