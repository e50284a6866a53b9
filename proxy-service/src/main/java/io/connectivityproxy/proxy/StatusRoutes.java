package io.connectivityproxy.proxy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.connectivityproxy.admin.RefusalHistory;
import io.connectivityproxy.admin.StatusPage;
import io.connectivityproxy.cluster.ClusterNode;
import io.connectivityproxy.cluster.ClusterStatus;
import io.connectivityproxy.cluster.SessionRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * proxy-service's status page, {@code GET /admin/status} on the management port: read-only
 * HTML with the streams open through this node per tunnel-service node, traffic, refused
 * requests by reason, the session registry and the cluster members. The same data as JSON:
 * {@code /admin/streams}.
 */
@Singleton
public class StatusRoutes {

    private final TunnelClient tunnel;
    private final SessionRegistry registry;
    private final ClusterNode node;
    private final MeterRegistry meters;
    /** Refusal totals sampled every 30 s, for the "last 15 min" column. */
    private final RefusalHistory history = new RefusalHistory(Duration.ofMinutes(15));

    public StatusRoutes(TunnelClient tunnel, SessionRegistry registry, ClusterNode node, MeterRegistry meters) {
        this.tunnel = tunnel;
        this.registry = registry;
        this.node = node;
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
                "proxy-service " + node.nodeId(),
                "HTTP and SOCKS5 proxy for cluster workloads - read-only, reloads every 5 s",
                Duration.ofSeconds(5));
        page.section("Streams open through this node");
        List<List<String>> streams = new ArrayList<>();
        tunnel.openStreams().forEach((tunnelNode, count) -> streams.add(List.of(tunnelNode, Integer.toString(count))));
        page.table("streams", List.of("tunnel-service node", "open streams"), streams, "no stream is open");
        Map<String, String> traffic = new LinkedHashMap<>();
        traffic.put("streams open", Integer.toString(tunnel.totalOpenStreams()));
        Set<String> suspected = new TreeSet<>(tunnel.suspectedNodes());
        traffic.put(
                "tunnel-service nodes suspected (silent)", suspected.isEmpty() ? "none" : String.join(", ", suspected));
        traffic.put("bytes to backends", StatusPage.bytes(sum("cp_proxy_bytes", "direction", "to_backend")));
        traffic.put("bytes to clients", StatusPage.bytes(sum("cp_proxy_bytes", "direction", "to_client")));
        page.facts("traffic", traffic);

        page.section("Refused requests since the start");
        List<List<String>> refusals = refusalRows(now);
        page.table(
                "refusals",
                List.of("what", "reason", "since the start", "last " + minutes(history.covered(now))),
                refusals,
                "none");
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
        byReason("cp_proxy_stream_open_failures", "stream open", totals);
        byReason("cp_proxy_authorization_refusals", "token", totals);
        long socks = (long) sum("cp_proxy_socks_handshakes_refused", null, null);
        if (socks > 0) {
            totals.put("SOCKS5 handshake|REFUSED", socks);
        }
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
