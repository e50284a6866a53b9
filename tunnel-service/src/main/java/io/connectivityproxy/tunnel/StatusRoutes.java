package io.connectivityproxy.tunnel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.connectivityproxy.admin.StatusPage;
import io.connectivityproxy.cluster.ClusterNode;
import io.connectivityproxy.cluster.ClusterStatus;
import io.connectivityproxy.cluster.SessionRegistry;
import io.connectivityproxy.tunnel.channel.ServiceChannels;
import io.connectivityproxy.tunnel.channel.ServiceMappingEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * tunnel-service's status page, {@code GET /admin/status} on the management port: read-only
 * HTML with this node's connector sessions (state, age, streams), traffic, refusals by reason,
 * the service mappings in force, and the cluster. The same data as JSON: {@code /admin/sessions}
 * and {@code /admin/channels}.
 */
@Singleton
public class StatusRoutes {

    private final SessionBroker broker;
    private final SessionRegistry registry;
    private final ClusterNode node;
    private final ServiceChannels serviceChannels;
    private final MeterRegistry meters;

    public StatusRoutes(SessionBroker broker, SessionRegistry registry, ClusterNode node,
            ServiceChannels serviceChannels, MeterRegistry meters) {
        this.broker = broker;
        this.registry = registry;
        this.node = node;
        this.serviceChannels = serviceChannels;
        this.meters = meters;
    }

    void routes(@Observes Router router) {
        router.get("/admin/status").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Content-Security-Policy", StatusPage.CONTENT_SECURITY_POLICY)
                .putHeader("Cache-Control", "no-store")
                .end(render(Instant.now())));
    }

    String render(Instant now) {
        StatusPage page = new StatusPage("tunnel-service " + node.nodeId(),
                "holds the connector sessions - read-only, reloads every 5 s", Duration.ofSeconds(5));
        page.section("Connector sessions on this node");
        List<List<String>> sessions = new ArrayList<>();
        for (ConnectorSession session : broker.sessions()) {
            sessions.add(List.of(session.id,
                    (session.state() == ConnectorSession.State.ACTIVE ? StatusPage.OK : "") + session.state().name(),
                    session.subaccount,
                    session.key() == null ? "" : session.key().locationId().isEmpty() ? "(default)"
                            : session.key().locationId(),
                    session.connectorId(), session.peer, Integer.toString(session.version()),
                    StatusPage.age(session.since, now), Integer.toString(session.streamCount()),
                    Integer.toString(session.channelStreamCount())));
        }
        page.table("sessions", List.of("session", "state", "subaccount", "location", "connector", "peer", "protocol",
                "age", "streams", "channel streams"), sessions, "no connector session on this node");

        Map<String, String> traffic = new LinkedHashMap<>();
        traffic.put("streams open", Integer.toString(broker.openStreams()));
        traffic.put("bytes to connectors", StatusPage.bytes(sum("cp_tunnel_bytes", "direction", "to_connector")));
        traffic.put("bytes from connectors", StatusPage.bytes(sum("cp_tunnel_bytes", "direction", "from_connector")));
        traffic.put("service-channel bytes to connectors",
                StatusPage.bytes(sum("cp_tunnel_channel_bytes", "direction", "to_connector")));
        traffic.put("service-channel bytes from connectors",
                StatusPage.bytes(sum("cp_tunnel_channel_bytes", "direction", "from_connector")));
        page.facts("traffic", traffic);

        page.section("Refusals since the start");
        List<List<String>> refusals = new ArrayList<>();
        long handshakes = (long) sum("cp_tunnel_handshakes_rejected", null, null);
        if (handshakes > 0) {
            refusals.add(List.of("connector handshake", "REJECTED", Long.toString(handshakes)));
        }
        byReason("cp_tunnel_stream_open_failures", "stream open", refusals);
        byReason("cp_tunnel_channel_refusals", "service channel", refusals);
        page.table("refusals", List.of("what", "reason", "count"), refusals, "none");

        page.section("Service mappings in force");
        List<List<String>> mappings = new ArrayList<>();
        for (ServiceMappingEntry mapping : serviceChannels.mappings()) {
            mappings.add(List.of(mapping.name(), mapping.type().name(), mapping.serviceId(),
                    mapping.internalAddress(), mapping.locationIds().stream().map(id -> id.isEmpty() ? "(default)" : id).collect(java.util.stream.Collectors.joining(", ")),
                    mapping.subaccountId() == null ? "" : mapping.subaccountId()));
        }
        page.table("mappings", List.of("name", "type", "service id", "internal address", "locations", "subaccount"),
                mappings, serviceChannels.enabled() ? "no service mapping" : "service channels are disabled");
        for (String problem : serviceChannels.problems()) {
            page.paragraph("mapping-problem", "fail", problem);
        }
        ClusterStatus.render(page, node, registry);
        return page.finish();
    }

    private double sum(String name, String tag, String value) {
        var search = meters.find(name);
        if (tag != null) {
            search = search.tag(tag, value);
        }
        return search.counters().stream().mapToDouble(Counter::count).sum();
    }

    private void byReason(String name, String what, List<List<String>> rows) {
        for (Counter counter : meters.find(name).counters()) {
            if (counter.count() > 0) {
                rows.add(List.of(what, String.valueOf(counter.getId().getTag("reason")),
                        Long.toString((long) counter.count())));
            }
        }
    }
}
