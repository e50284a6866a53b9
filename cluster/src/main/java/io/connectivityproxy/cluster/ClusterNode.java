package io.connectivityproxy.cluster;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import jakarta.inject.Singleton;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;

import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** This process as a member of the cluster: its node id, the live members, who left. */
@Singleton
public class ClusterNode {

    private static final String VERTX_NODE_ID = "__vertx.nodeId";

    private final Vertx vertx;
    private final List<Consumer<String>> leftListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> joinedListeners = new CopyOnWriteArrayList<>();
    private volatile boolean listening;

    public ClusterNode(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The Vert.x node id (Hazelcast member UUID) of this process. */
    public String nodeId() {
        return clusterManager().getNodeId();
    }

    /** Node ids of all live members, this one included. */
    public Set<String> members() {
        return hazelcast().getCluster().getMembers().stream()
                .map(ClusterNode::nodeIdOf)
                .collect(Collectors.toSet());
    }

    /** The Hazelcast address of a live member, e.g. {@code [127.0.0.1]:5702}, for log lines. */
    public Optional<String> addressOf(String nodeId) {
        return hazelcast().getCluster().getMembers().stream()
                .filter(member -> nodeIdOf(member).equals(nodeId))
                .map(member -> String.valueOf(member.getAddress()))
                .findFirst();
    }

    /** Describes each member for the admin endpoints. */
    public List<String> describeMembers() {
        return hazelcast().getCluster().getMembers().stream()
                .map(member ->
                        nodeIdOf(member) + " " + member.getAddress() + (member.localMember() ? " (this node)" : ""))
                .toList();
    }

    public boolean joined() {
        HazelcastInstance instance = clusterManager().getHazelcastInstance();
        return instance != null && instance.getLifecycleService().isRunning();
    }

    /** Calls {@code listener} with the node id of every member that leaves the cluster. */
    public void onMemberLeft(Consumer<String> listener) {
        leftListeners.add(listener);
        listen();
    }

    /** Calls {@code listener} with the node id of every member that joins the cluster. */
    public void onMemberJoined(Consumer<String> listener) {
        joinedListeners.add(listener);
        listen();
    }

    private void listen() {
        if (!listening) {
            synchronized (this) {
                if (!listening) {
                    hazelcast().getCluster().addMembershipListener(new MembershipListener() {
                        @Override
                        public void memberAdded(MembershipEvent event) {
                            String id = nodeIdOf(event.getMember());
                            for (Consumer<String> joined : joinedListeners) {
                                joined.accept(id);
                            }
                        }

                        @Override
                        public void memberRemoved(MembershipEvent event) {
                            Member member = event.getMember();
                            String id = nodeIdOf(member);
                            for (Consumer<String> left : leftListeners) {
                                left.accept(id);
                            }
                        }
                    });
                    listening = true;
                }
            }
        }
    }

    /** The Vert.x node id a member advertises (vertx-hazelcast stores it as a member attribute). */
    private static String nodeIdOf(Member member) {
        String nodeId = member.getAttribute(VERTX_NODE_ID);
        return nodeId != null ? nodeId : member.getUuid().toString();
    }

    public HazelcastInstance hazelcast() {
        return clusterManager().getHazelcastInstance();
    }

    private HazelcastClusterManager clusterManager() {
        return (HazelcastClusterManager) ((VertxInternal) vertx).getClusterManager();
    }
}
