package io.connectivityproxy.tunnel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.connectivityproxy.admin.RefusalHistory;
import io.connectivityproxy.admin.StatusPage;
import io.connectivityproxy.cluster.ClusterNode;
import io.connectivityproxy.cluster.ClusterStatus;
import io.connectivityproxy.cluster.SessionRegistry;
import io.connectivityproxy.tunnel.channel.ServiceChannels;
import io.connectivityproxy.tunnel.channel.ServiceMappingEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

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
    /** Refusal totals sampled every 30 s, for the "last 15 min" column. */
    private final RefusalHistory history = new RefusalHistory(Duration.ofMinutes(15));

    public StatusRoutes(
            SessionBroker broker,
            SessionRegistry registry,
            ClusterNode node,
            ServiceChannels serviceChannels,
            MeterRegistry meters) {
        this.broker = broker;
        this.registry = registry;
        this.node = node;
        this.serviceChannels = serviceChannels;
        this.meters = meters;
    }

    void sample(@Observes StartupEvent event, Vertx vertx) {
        history.sampleEvery(vertx, Duration.ofSeconds(30), this::refusalTotals);
    }

    void routes(@Observes Router router) {
        router.get("/admin/status").handler(ctx -> StatusPage.send(ctx.response(), render(Instant.now())));
    }

    String render(Instant now) {
        StatusPage page = new StatusPage(
                "tunnel-service " + node.nodeId(),
                "holds the connector sessions - read-only, reloads every 5 s",
                Duration.ofSeconds(5));
        page.section("Connector sessions on this node");
        List<List<String>> sessions = new ArrayList<>();
        for (ConnectorSession session : broker.sessions()) {
            sessions.add(List.of(
                    session.id,
                    (session.state() == ConnectorSession.State.ACTIVE ? StatusPage.OK : "")
                            + session.state().name(),
                    session.subaccount,
                    session.key() == null
                            ? ""
                            : session.key().locationId().isEmpty()
                                    ? "(default)"
                                    : session.key().locationId(),
                    session.connectorId(),
                    session.peer,
                    Integer.toString(session.version()),
                    StatusPage.age(session.since, now),
                    Integer.toString(session.streamCount()),
                    Integer.toString(session.channelStreamCount())));
        }
        page.table(
                "sessions",
                List.of(
                        "session",
                        "state",
                        "subaccount",
                        "location",
                        "connector",
                        "peer",
                        "protocol",
                        "age",
                        "streams",
                        "channel streams"),
                sessions,
                "no connector session on this node");

        Map<String, String> traffic = new LinkedHashMap<>();
        traffic.put("streams open", Integer.toString(broker.openStreams()));
        traffic.put("bytes to connectors", StatusPage.bytes(sum("cp_tunnel_bytes", "direction", "to_connector")));
        traffic.put("bytes from connectors", StatusPage.bytes(sum("cp_tunnel_bytes", "direction", "from_connector")));
        traffic.put(
                "service-channel bytes to connectors",
                StatusPage.bytes(sum("cp_tunnel_channel_bytes", "direction", "to_connector")));
        traffic.put(
                "service-channel bytes from connectors",
                StatusPage.bytes(sum("cp_tunnel_channel_bytes", "direction", "from_connector")));
        page.facts("traffic", traffic);

        page.section("Refusals since the start");
        List<List<String>> refusals = refusalRows(now);
        page.table(
                "refusals",
                List.of("what", "reason", "since the start", "last " + minutes(history.covered(now))),
                refusals,
                "none");

        page.section("Service mappings in force");
        List<List<String>> mappings = new ArrayList<>();
        for (ServiceMappingEntry mapping : serviceChannels.mappings()) {
            mappings.add(List.of(
                    mapping.name(),
                    mapping.type().name(),
                    mapping.serviceId(),
                    mapping.internalAddress(),
                    mapping.locationIds().stream()
                            .map(id -> id.isEmpty() ? "(default)" : id)
                            .collect(java.util.stream.Collectors.joining(", ")),
                    mapping.subaccountId() == null ? "" : mapping.subaccountId()));
        }
        page.table(
                "mappings",
                List.of("name", "type", "service id", "internal address", "locations", "subaccount"),
                mappings,
                serviceChannels.enabled() ? "no service mapping" : "service channels are disabled");
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

    /** Every refusal counter of this node: "what|reason" to its total. */
    private Map<String, Long> refusalTotals() {
        Map<String, Long> totals = new java.util.TreeMap<>();
        long handshakes = (long) sum("cp_tunnel_handshakes_rejected", null, null);
        if (handshakes > 0) {
            totals.put("connector handshake|REJECTED", handshakes);
        }
        byReason("cp_tunnel_stream_open_failures", "stream open", totals);
        byReason("cp_tunnel_channel_refusals", "service channel", totals);
        return totals;
    }

    private List<List<String>> refusalRows(Instant now) {
        Map<String, Long> totals = refusalTotals();
        Map<String, Long> recent = history.recent(totals);
        List<List<String>> rows = new ArrayList<>();
        totals.forEach((key, total) -> {
            String[] parts = key.split("\\|", 2);
            rows.add(List.of(parts[0], parts[1], Long.toString(total), Long.toString(recent.getOrDefault(key, 0L))));
        });
        return rows;
    }

    private static String minutes(Duration covered) {
        return Math.max(1, (covered.toSeconds() + 59) / 60) + " min";
    }

    private void byReason(String name, String what, Map<String, Long> totals) {
        for (Counter counter : meters.find(name).counters()) {
            if (counter.count() > 0) {
                totals.merge(what + "|" + counter.getId().getTag("reason"), (long) counter.count(), Long::sum);
            }
        }
    }
}
