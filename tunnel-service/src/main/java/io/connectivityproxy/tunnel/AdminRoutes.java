package io.connectivityproxy.tunnel;

import io.connectivityproxy.cluster.ClusterNode;
import io.connectivityproxy.cluster.SessionRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Read-only admin endpoint on the management port (reach it with {@code kubectl port-forward}):
 * {@code GET /admin/sessions} lists this node's connector sessions, the cluster's registry and
 * its members.
 */
@Singleton
public class AdminRoutes {

    private final SessionBroker broker;
    private final SessionRegistry registry;
    private final ClusterNode node;

    public AdminRoutes(SessionBroker broker, SessionRegistry registry, ClusterNode node) {
        this.broker = broker;
        this.registry = registry;
        this.node = node;
    }

    void routes(@Observes Router router) {
        router.get("/admin/sessions").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(sessions().encodePrettily()));
    }

    JsonObject sessions() {
        JsonArray local = new JsonArray();
        for (ConnectorSession session : broker.sessions()) {
            local.add(new JsonObject()
                    .put("session", session.id)
                    .put("state", session.state().name())
                    .put("subaccount", session.subaccount)
                    .put("location", session.key() == null ? null : session.key().locationId())
                    .put("connector", session.connectorId())
                    .put("peer", session.peer)
                    .put("streams", session.streamCount()));
        }
        JsonObject cluster = new JsonObject();
        registry.snapshot().forEach((key, values) -> cluster.put(key.toString(), new JsonArray(values)));
        return new JsonObject()
                .put("node", node.nodeId())
                .put("sessions", local)
                .put("openStreams", broker.openStreams())
                .put("registry", cluster)
                .put("members", new JsonArray(node.describeMembers()));
    }
}
