package io.connectivityproxy.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.map.MapEvent;
import com.hazelcast.multimap.MultiMap;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The cluster-wide registry of live connector sessions: subaccount + location id → the
 * tunnel-service nodes holding a session. Stored in a Hazelcast multimap (values
 * {@code nodeId|sessionId}); every node keeps a local replica fed by entry events, so a
 * lookup on the request path never leaves the process. Entries of a member that left are
 * ignored at once and purged by the survivors. Any member can write to the map, so entries
 * count only once their node is admitted ({@link MemberAdmission}); entries of other members
 * are ignored, and malformed ones too.
 */
@Singleton
public class SessionRegistry {

    private static final Logger LOG = Logger.getLogger(SessionRegistry.class);
    static final String MAP_NAME = "cp.sessions";
    private static final long RESYNC_MILLIS = 30_000;
    /** How long {@link #start()} waits for the verdicts on the members already in the registry. */
    private static final long FIRST_VERDICTS_MILLIS = MemberAdmission.PROBE_TIMEOUT_MILLIS + 1_000;

    /** A member whose entries are ignored: its Hazelcast address, why, and how many entries. */
    public record IgnoredMember(String nodeId, String address, String reason, int entries) {

        public JsonObject toJson() {
            return new JsonObject()
                    .put("node", nodeId)
                    .put("address", address)
                    .put("reason", reason)
                    .put("entries", entries);
        }
    }

    private final Vertx vertx;
    private final ClusterNode node;
    private final MemberAdmission admission;
    private final Map<String, Set<String>> replica = new ConcurrentHashMap<>();
    private volatile boolean started;

    public SessionRegistry(Vertx vertx, ClusterNode node, MemberAdmission admission) {
        this.vertx = vertx;
        this.node = node;
        this.admission = admission;
    }

    /** Starts the local replica; idempotent. Blocking: call from a worker or at startup. */
    public synchronized void start() {
        if (started) {
            return;
        }
        MultiMap<String, String> map = map();
        map.addEntryListener(
                new EntryListener<String, String>() {
                    @Override
                    public void entryAdded(EntryEvent<String, String> event) {
                        replica.computeIfAbsent(event.getKey(), k -> ConcurrentHashMap.newKeySet())
                                .add(event.getValue());
                        checkNodeOf(event.getValue());
                    }

                    @Override
                    public void entryRemoved(EntryEvent<String, String> event) {
                        Set<String> values = replica.get(event.getKey());
                        if (values != null) {
                            values.remove(event.getOldValue());
                        }
                    }

                    @Override
                    public void entryUpdated(EntryEvent<String, String> event) {}

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
                },
                true);
        resync();
        awaitFirstVerdicts();
        node.onMemberLeft(this::purge);
        // Entry events are the fast path; a periodic full read repairs anything a partition lost.
        vertx.setPeriodic(
                RESYNC_MILLIS,
                t -> vertx.executeBlocking(
                        () -> {
                            resync();
                            return null;
                        },
                        false));
        started = true;
    }

    /** Replaces the replica's contents with what the cluster map holds now. Blocking. */
    private void resync() {
        Map<String, Set<String>> fresh = new java.util.HashMap<>();
        for (Map.Entry<String, String> entry : map().entrySet()) {
            fresh.computeIfAbsent(entry.getKey(), k -> ConcurrentHashMap.newKeySet())
                    .add(entry.getValue());
        }
        replica.keySet().retainAll(fresh.keySet());
        fresh.forEach((key, values) -> replica.merge(key, values, (current, latest) -> {
            current.retainAll(latest);
            current.addAll(latest);
            return current;
        }));
        fresh.values().forEach(values -> values.forEach(this::checkNodeOf));
    }

    private void checkNodeOf(String value) {
        String nodeId = nodeOf(value);
        if (nodeId != null) {
            admission.check(nodeId);
        }
    }

    /** Lets the first lookups after a start see the sessions of nodes already there. Blocking. */
    private void awaitFirstVerdicts() {
        long deadline = System.currentTimeMillis() + FIRST_VERDICTS_MILLIS;
        while (System.currentTimeMillis() < deadline
                && !nodesWithEntries().stream().allMatch(admission::decided)) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The node id of a registry value, or null when the value is malformed. */
    private static String nodeOf(String value) {
        int bar = value.indexOf('|');
        return bar > 0 ? value.substring(0, bar) : null;
    }

    private Set<String> nodesWithEntries() {
        Set<String> nodes = new java.util.HashSet<>();
        replica.values()
                .forEach(values -> values.forEach(value -> {
                    String nodeId = nodeOf(value);
                    if (nodeId != null) {
                        nodes.add(nodeId);
                    }
                }));
        return nodes;
    }

    /** Records a live session held by this node. */
    public Future<Void> register(SessionKey key, String sessionId) {
        String value = node.nodeId() + "|" + sessionId;
        return vertx.executeBlocking(
                () -> {
                    map().put(key.registryKey(), value);
                    return null;
                },
                false);
    }

    /** Removes a session of this node; call the moment it dies. */
    public Future<Void> unregister(SessionKey key, String sessionId) {
        String value = node.nodeId() + "|" + sessionId;
        replica.computeIfPresent(key.registryKey(), (k, values) -> {
            values.remove(value);
            return values;
        });
        return vertx.executeBlocking(
                () -> {
                    map().remove(key.registryKey(), value);
                    return null;
                },
                false);
    }

    /** Live, admitted nodes that hold at least one session for {@code key}; empty when none. */
    public List<String> nodesFor(SessionKey key) {
        Set<String> values = replica.get(key.registryKey());
        if (values == null || values.isEmpty()) {
            return List.of();
        }
        Set<String> members = node.members();
        List<String> nodes = new ArrayList<>();
        for (String value : values) {
            String nodeId = nodeOf(value);
            if (nodeId != null && members.contains(nodeId) && !nodes.contains(nodeId) && admission.admitted(nodeId)) {
                nodes.add(nodeId);
            }
        }
        return nodes;
    }

    /**
     * The sessions lookups use: key → values {@code nodeId|sessionId} of live, admitted nodes,
     * for admin endpoints. {@link #ignored()} lists the members whose entries are left out.
     */
    public Map<SessionKey, List<String>> snapshot() {
        Map<SessionKey, List<String>> out =
                new java.util.TreeMap<>(java.util.Comparator.comparing(SessionKey::toString));
        Set<String> members = node.members();
        replica.forEach((key, values) -> {
            List<String> used = values.stream()
                    .filter(value -> {
                        String nodeId = nodeOf(value);
                        return nodeId != null && members.contains(nodeId) && admission.admitted(nodeId);
                    })
                    .sorted()
                    .toList();
            if (!used.isEmpty()) {
                SessionKey.fromRegistryKey(key).ifPresent(parsed -> out.put(parsed, used));
            }
        });
        return out;
    }

    /** Live members with registry entries that failed their probe: those entries are ignored. */
    public List<IgnoredMember> ignored() {
        Map<String, Integer> entries = new java.util.TreeMap<>();
        replica.values()
                .forEach(values -> values.forEach(value -> {
                    String nodeId = nodeOf(value);
                    if (nodeId != null) {
                        entries.merge(nodeId, 1, Integer::sum);
                    }
                }));
        Set<String> members = node.members();
        List<IgnoredMember> ignored = new ArrayList<>();
        entries.forEach((nodeId, count) -> {
            Optional<String> refusal = members.contains(nodeId) ? admission.refusal(nodeId) : Optional.empty();
            refusal.ifPresent(reason -> ignored.add(
                    new IgnoredMember(nodeId, node.addressOf(nodeId).orElse("address unknown"), reason, count)));
        });
        return ignored;
    }

    /** Number of live members whose entries are ignored (a metric). */
    public int ignoredMembers() {
        return ignored().size();
    }

    /** Number of registry entries ignored because their member was refused (a metric). */
    public int ignoredEntries() {
        return ignored().stream().mapToInt(IgnoredMember::entries).sum();
    }

    private void purge(String nodeId) {
        vertx.executeBlocking(
                        () -> {
                            MultiMap<String, String> map = map();
                            for (Map.Entry<String, String> entry : map.entrySet()) {
                                if (entry.getValue().startsWith(nodeId + "|")) {
                                    map.remove(entry.getKey(), entry.getValue());
                                }
                            }
                            return null;
                        },
                        false)
                .onFailure(e -> LOG.warnf("could not purge sessions of departed node %s: %s", nodeId, e.getMessage()));
    }

    private MultiMap<String, String> map() {
        return node.hazelcast().getMultiMap(MAP_NAME);
    }
}
