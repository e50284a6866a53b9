package io.connectivityproxy.proxy;

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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

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

    public StatusRoutes(TunnelClient tunnel, SessionRegistry registry, ClusterNode node, MeterRegistry meters) {
        this.tunnel = tunnel;
        this.registry = registry;
        this.node = node;
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
        StatusPage page = new StatusPage("proxy-service " + node.nodeId(),
                "HTTP and SOCKS5 proxy for cluster workloads - read-only, reloads every 5 s", Duration.ofSeconds(5));
        page.section("Streams open through this node");
        List<List<String>> streams = new ArrayList<>();
        tunnel.openStreams().forEach((tunnelNode, count) -> streams.add(List.of(tunnelNode, Integer.toString(count))));
        page.table("streams", List.of("tunnel-service node", "open streams"), streams, "no stream is open");
        Map<String, String> traffic = new LinkedHashMap<>();
        traffic.put("streams open", Integer.toString(tunnel.totalOpenStreams()));
        traffic.put("bytes to backends", StatusPage.bytes(sum("cp_proxy_bytes", "direction", "to_backend")));
        traffic.put("bytes to clients", StatusPage.bytes(sum("cp_proxy_bytes", "direction", "to_client")));
        page.facts("traffic", traffic);

        page.section("Refused requests since the start");
        List<List<String>> refusals = new ArrayList<>();
        byReason("cp_proxy_stream_open_failures", "stream open", refusals);
        byReason("cp_proxy_authorization_refusals", "token", refusals);
        long socks = (long) sum("cp_proxy_socks_handshakes_refused", null, null);
        if (socks > 0) {
            refusals.add(List.of("SOCKS5 handshake", "REFUSED", Long.toString(socks)));
        }
        page.table("refusals", List.of("what", "reason", "count"), refusals, "none");
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
