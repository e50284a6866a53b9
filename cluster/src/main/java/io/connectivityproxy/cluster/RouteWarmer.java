package io.connectivityproxy.cluster;

import java.util.Map;
import java.util.function.UnaryOperator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Looks up the event bus routes to the other members' addresses before a stream needs them.
 * Vert.x finds an address's subscribers in a Hazelcast multimap on its first use and forgets every
 * address it found whenever a member leaves. When the partition holding an address belongs to a
 * frozen member, that lookup waits until Hazelcast removes the member (cluster.failure-timeout):
 * a stream routed away from a suspected tunnel-service node would wait just as long for its first
 * frame to a survivor. So each node sends one empty message, which receivers of every version drop,
 * to the address of each other member it may send frames to: at start, when a member joins and
 * when one leaves. A member whose address has no subscriber yet (still starting, or of the other
 * role) is tried again each second for half a minute.
 */
public final class RouteWarmer {

    private static final long RETRY_MILLIS = 1_000;
    private static final int ATTEMPTS = 30;

    private final Vertx vertx;
    private final ClusterNode node;
    private final UnaryOperator<String> addressOf;
    private final DeliveryOptions options;

    /**
     * @param addressOf the address of a member's node id that this node sends frames to
     * @param headers headers of the empty message that make its receiver drop it
     */
    public RouteWarmer(Vertx vertx, ClusterNode node, UnaryOperator<String> addressOf, Map<String, String> headers) {
        this.vertx = vertx;
        this.node = node;
        this.addressOf = addressOf;
        this.options = new DeliveryOptions().setSendTimeout(RETRY_MILLIS);
        headers.forEach(options::addHeader);
    }

    /** Warms every member's route now and after each membership change. */
    public void start() {
        node.onMemberJoined(id -> warm(id, ATTEMPTS));
        node.onMemberLeft(id -> warmAll());
        warmAll();
    }

    private void warmAll() {
        for (String id : node.members()) {
            warm(id, ATTEMPTS);
        }
    }

    private void warm(String nodeId, int attemptsLeft) {
        if (nodeId.equals(node.nodeId()) || !node.members().contains(nodeId)) {
            return;
        }
        // An answer or a timeout both mean the route was found; only "no subscriber" was not.
        vertx.eventBus()
                .request(addressOf.apply(nodeId), Buffer.buffer(), options)
                .onFailure(cause -> {
                    if (cause instanceof ReplyException reply
                            && reply.failureType() == ReplyFailure.NO_HANDLERS
                            && attemptsLeft > 1) {
                        vertx.setTimer(RETRY_MILLIS, timer -> warm(nodeId, attemptsLeft - 1));
                    }
                });
    }
}
