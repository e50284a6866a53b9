package io.connectivityproxy.tunnel;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import io.connectivityproxy.cluster.SessionKey;
import java.util.concurrent.ConcurrentHashMap;

import io.connectivityproxy.protocol.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import jakarta.inject.Singleton;

/**
 * tunnel-service metrics (Prometheus at {@code /q/metrics}): SAP's
 * {@code connectivity_business_data_tunnels_count}, sessions per location, open streams, bytes
 * each way and stream-open failures by reason.
 */
@Singleton
public class TunnelMetrics {

    private final MeterRegistry registry;
    private final Counter bytesToConnector;
    private final Counter bytesFromConnector;
    private final Map<Reason, Counter> openFailures = new ConcurrentHashMap<>();
    private final Counter handshakesRejected;
    private MultiGauge perLocation;

    public TunnelMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.bytesToConnector = Counter.builder("cp_tunnel_bytes").tag("direction", "to_connector")
                .description("Stream payload bytes relayed to connectors").register(registry);
        this.bytesFromConnector = Counter.builder("cp_tunnel_bytes").tag("direction", "from_connector")
                .description("Stream payload bytes relayed from connectors").register(registry);
        this.handshakesRejected = Counter.builder("cp_tunnel_handshakes_rejected")
                .description("Connector handshakes refused (authentication, version, malformed)").register(registry);
    }

    void bind(SessionBroker broker) {
        Gauge.builder("connectivity_business_data_tunnels_count", broker, b -> b.sessions().stream()
                .filter(s -> s.state() == ConnectorSession.State.ACTIVE).count())
                .description("Live connector sessions (business data tunnels) on this node").register(registry);
        Gauge.builder("cp_tunnel_streams_open", broker, SessionBroker::openStreams)
                .description("Streams relayed through this node right now").register(registry);
        perLocation = MultiGauge.builder("cp_tunnel_sessions")
                .description("Live connector sessions on this node by subaccount and location").register(registry);
    }

    /** Recomputes the per-location rows; called whenever a session becomes active or leaves. */
    synchronized void sessionsChanged(Collection<ConnectorSession> sessions) {
        Map<SessionKey, Long> counts = new HashMap<>();
        for (ConnectorSession session : sessions) {
            if (session.key() != null && session.state() == ConnectorSession.State.ACTIVE) {
                counts.merge(session.key(), 1L, Long::sum);
            }
        }
        perLocation.register(counts.entrySet().stream()
                .map(e -> MultiGauge.Row.of(Tags.of("subaccount", e.getKey().subaccount(), "location",
                        e.getKey().locationId()), e.getValue()))
                .toList(), true);
    }

    void bytes(int length, boolean toConnector) {
        (toConnector ? bytesToConnector : bytesFromConnector).increment(length);
    }

    void openFailure(Reason reason) {
        openFailures.computeIfAbsent(reason, r -> Counter.builder("cp_tunnel_stream_open_failures")
                .tag("reason", r.name()).description("Streams that could not be opened, by reason")
                .register(registry)).increment();
    }

    void handshakeRejected() {
        handshakesRejected.increment();
    }
}
