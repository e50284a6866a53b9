package io.connectivityproxy.tunnel;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.connectivityproxy.cluster.ClusterNode;
import io.connectivityproxy.cluster.SessionRegistry;
import io.connectivityproxy.tunnel.channel.ServiceChannels;
import io.connectivityproxy.tunnel.channel.ServiceMappingEntry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Read-only admin endpoint on the management port (reach it with {@code kubectl port-forward}):
 * {@code GET /admin/sessions} lists this node's connector sessions (with their service-channel
 * streams), the cluster's registry and its members; {@code GET /admin/channels} the service
 * mappings in force and the resources skipped.
 */
@Singleton
public class AdminRoutes {

    private final SessionBroker broker;
    private final SessionRegistry registry;
    private final ClusterNode node;
    private final ServiceChannels serviceChannels;

    public AdminRoutes(
            SessionBroker broker, SessionRegistry registry, ClusterNode node, ServiceChannels serviceChannels) {
        this.serviceChannels = serviceChannels;
        this.broker = broker;
        this.registry = registry;
        this.node = node;
    }

    void routes(@Observes Router router) {
        router.get("/admin/sessions").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(sessions().encodePrettily()));
        router.get("/admin/channels").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(channels().encodePrettily()));
    }

    private static JsonArray channelStreams(ConnectorSession session) {
        JsonArray out = new JsonArray();
        for (ChannelBridge.Stream stream : session.channelStreams()) {
            out.add(new JsonObject()
                    .put("stream", stream.streamId())
                    .put("serviceId", stream.serviceId())
                    .put("type", stream.type().name())
                    .put("serviceMapping", stream.mapping())
                    .put("since", stream.since().toString())
                    .put("bytesToConnector", stream.toConnector().get())
                    .put("bytesFromConnector", stream.fromConnector().get()));
        }
        return out;
    }

    /** The service mappings in force on this node and the resources it skipped. */
    JsonObject channels() {
        JsonArray mappings = new JsonArray();
        for (ServiceMappingEntry mapping : serviceChannels.mappings()) {
            mappings.add(new JsonObject()
                    .put("name", mapping.name())
                    .put("type", mapping.type().name())
                    .put("serviceId", mapping.serviceId())
                    .put("internalAddress", mapping.internalAddress())
                    .put("locationIds", new JsonArray(mapping.locationIds()))
                    .put("subaccountId", mapping.subaccountId())
                    .put("tenantId", mapping.tenantId()));
        }
        return new JsonObject()
                .put("enabled", serviceChannels.enabled())
                .put("mappings", mappings)
                .put("problems", new JsonArray(serviceChannels.problems()))
                .put(
                        "openStreams",
                        broker.sessions().stream()
                                .mapToInt(ConnectorSession::channelStreamCount)
                                .sum());
    }

    JsonObject sessions() {
        JsonArray local = new JsonArray();
        for (ConnectorSession session : broker.sessions()) {
            local.add(new JsonObject()
                    .put("session", session.id)
                    .put("state", session.state().name())
                    .put("subaccount", session.subaccount)
                    .put(
                            "location",
                            session.key() == null ? null : session.key().locationId())
                    .put("connector", session.connectorId())
                    .put("peer", session.peer)
                    .put("protocolVersion", session.version())
                    .put("streams", session.streamCount())
                    .put("channelStreams", channelStreams(session)));
        }
        JsonObject cluster = new JsonObject();
        registry.snapshot().forEach((key, values) -> cluster.put(key.toString(), new JsonArray(values)));
        return new JsonObject()
                .put("node", node.nodeId())
                .put("sessions", local)
                .put("openStreams", broker.openStreams())
                .put("registry", cluster)
                .put(
                        "ignoredMembers",
                        new JsonArray(
                                registry.ignored().stream().map(m -> m.toJson()).toList()))
                .put("members", new JsonArray(node.describeMembers()));
    }
}
