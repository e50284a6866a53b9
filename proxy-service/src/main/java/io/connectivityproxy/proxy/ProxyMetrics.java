package io.connectivityproxy.proxy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import jakarta.inject.Singleton;

import io.connectivityproxy.cluster.SessionKey;
import io.connectivityproxy.cluster.SessionRegistry;
import io.connectivityproxy.protocol.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * proxy-service metrics at {@code /q/metrics}: open streams, bytes each way, stream-open latency
 * and failures by reason, the cluster members whose registry entries are ignored, and SAP's two
 * metrics of opening tunnels, which live here because this is where a stream open is started and
 * waited for: {@code connectivity_tunnel_opening_timeout_count_total{tunnel_id="account:///<subaccount>"}}
 * and {@code connectivity_proxy_open_tunnel_call_health_status} ({@link OpenTunnelHealth}).
 */
@Singleton
public class ProxyMetrics {

    private final MeterRegistry registry;
    private final Counter bytesToBackend;
    private final Counter bytesToClient;
    private final Map<String, Counter> openingTimeouts = new ConcurrentHashMap<>();
    private final OpenTunnelHealth health = new OpenTunnelHealth();
    private final Timer openLatency;
    private final Counter socksRefused;
    private final Counter earlyResponses;
    private final Counter upgrades;
    private final Map<Reason, Counter> openFailures = new ConcurrentHashMap<>();
    private final Map<String, Counter> streamsBySubaccount = new ConcurrentHashMap<>();
    private final Map<io.connectivityproxy.proxy.auth.TokenException.Kind, Counter> authorizationRefusals =
            new ConcurrentHashMap<>();

    public ProxyMetrics(MeterRegistry registry, TunnelClient tunnel, SessionRegistry sessions, ProxySettings settings) {
        this.registry = registry;
        this.bytesToBackend = Counter.builder("cp_proxy_bytes")
                .tag("direction", "to_backend")
                .description("Request body bytes sent into the tunnel")
                .register(registry);
        this.bytesToClient = Counter.builder("cp_proxy_bytes")
                .tag("direction", "to_client")
                .description("Response body bytes sent to clients")
                .register(registry);
        Gauge.builder("connectivity_proxy_open_tunnel_call_health_status", health, OpenTunnelHealth::status)
                .description("1 while opening streams towards connectors works; 0 when the last 5 opens failed or "
                        + "at least 60 % of the last 15 did (SAP's metric name)")
                .register(registry);
        if ("dedicated".equals(settings.tenantMode())) {
            // The one tunnel of a dedicated installation shows 0 before its first timeout.
            openingTimeouts(settings.subaccount());
        }
        this.openLatency = Timer.builder("cp_proxy_stream_open")
                .publishPercentiles(0.5, 0.99)
                .description("Time from OPEN to OPEN_OK or OPEN_FAIL")
                .register(registry);
        this.socksRefused = Counter.builder("cp_proxy_socks_handshakes_refused")
                .description("SOCKS5 handshakes that failed (malformed, unsupported, too slow)")
                .register(registry);
        this.earlyResponses = Counter.builder("cp_proxy_http_early_responses")
                .description("HTTP responses that came before the end of their request body (answered with "
                        + "Connection: close, the rest of the body passed on or drained)")
                .register(registry);
        this.upgrades = Counter.builder("cp_proxy_http_upgrades")
                .description("HTTP requests that switched protocols (101, e.g. WebSocket) and became byte relays")
                .register(registry);
        Gauge.builder("cp_proxy_streams_open", tunnel, TunnelClient::totalOpenStreams)
                .description("Streams open through this proxy node")
                .register(registry);
        FunctionCounter.builder("cp_proxy_tunnel_node_suspicions", tunnel, TunnelClient::suspicionsTotal)
                .description("Times a tunnel-service node went silent for cluster.liveness-timeout and was suspected:"
                        + " its streams failed and no new ones went there until it was heard again")
                .register(registry);
        Gauge.builder("cp_proxy_tunnel_nodes_suspected", tunnel, client -> client.suspectedNodes()
                        .size())
                .description("Tunnel-service nodes suspected now (silent, but still cluster members)")
                .register(registry);
        Gauge.builder("cp_proxy_window_budget_available_bytes", tunnel, TunnelClient::windowBudgetAvailable)
                .description("Window growth streams may still take (proxy.window-budget minus what they hold)")
                .register(registry);
        FunctionCounter.builder("cp_proxy_window_growth_bytes", tunnel, TunnelClient::windowGrowthTotal)
                .description("Window growth granted to streams whose window held them back")
                .register(registry);
        Gauge.builder("cp_cluster_unverified_members", sessions, SessionRegistry::ignoredMembers)
                .description("Cluster members with session registry entries that did not answer over the "
                        + "mutual-TLS event bus; their entries are ignored")
                .register(registry);
        Gauge.builder("cp_cluster_registry_entries_ignored", sessions, SessionRegistry::ignoredEntries)
                .description("Session registry entries ignored because their member is not verified")
                .register(registry);
    }

    void socksRefused() {
        socksRefused.increment();
    }

    void earlyResponse() {
        earlyResponses.increment();
    }

    void upgraded() {
        upgrades.increment();
    }

    void bytesToBackend(long length) {
        bytesToBackend.increment(length);
    }

    void bytesToClient(long length) {
        bytesToClient.increment(length);
    }

    void opened(long startNanos) {
        openLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        health.succeeded();
    }

    /** A stream towards a connector of {@code subaccount} could not be opened. */
    void openFailed(String subaccount, Reason reason, long startNanos) {
        openLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        health.failed(reason);
        if (reason == Reason.TIMEOUT) {
            openingTimeouts(subaccount).increment();
        }
        openFailures
                .computeIfAbsent(reason, r -> Counter.builder("cp_proxy_stream_open_failures")
                        .tag("reason", r.name())
                        .description("Requests refused before reaching a backend, by reason")
                        .register(registry))
                .increment();
    }

    private Counter openingTimeouts(String subaccount) {
        return openingTimeouts.computeIfAbsent(
                subaccount, id -> Counter.builder("connectivity_tunnel_opening_timeout_count")
                        .tag("tunnel_id", SessionKey.tunnelId(id))
                        .description("Streams towards the connectors of a subaccount whose opening timed out (SAP's "
                                + "metric name)")
                        .register(registry));
    }

    /** A request or stream refused for its token (or missing tenant), by why. */
    void authorizationRefused(io.connectivityproxy.proxy.auth.TokenException.Kind kind) {
        authorizationRefusals
                .computeIfAbsent(kind, k -> Counter.builder("cp_proxy_authorization_refusals")
                        .tag("reason", k.name())
                        .description("Requests and streams refused for their token, by reason")
                        .register(registry))
                .increment();
    }

    /** A stream was opened towards a connector of {@code subaccount} (tenants are few; one row each). */
    void streamFor(String subaccount) {
        streamsBySubaccount
                .computeIfAbsent(subaccount, id -> Counter.builder("cp_proxy_streams_opened")
                        .tag("subaccount", id)
                        .description("Streams opened towards connectors, by subaccount")
                        .register(registry))
                .increment();
    }
}
