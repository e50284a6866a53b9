package io.connectivityproxy.tunnel;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.inject.Singleton;

import io.connectivityproxy.cluster.SessionKey;
import io.connectivityproxy.protocol.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * tunnel-service metrics (Prometheus at {@code /q/metrics}): SAP's
 * {@code connectivity_business_data_tunnels_count}, sessions per location, open streams, bytes
 * each way and stream-open failures by reason; for service channels, streams open, opens per
 * service, bytes each way and refusals by reason.
 */
@Singleton
public class TunnelMetrics {

    private final MeterRegistry registry;
    private final Counter bytesToConnector;
    private final Counter bytesFromConnector;
    private final Map<Reason, Counter> openFailures = new ConcurrentHashMap<>();
    private final Counter handshakesRejected;
    private final AtomicInteger channelStreams = new AtomicInteger();
    private final Counter channelBytesToConnector;
    private final Counter channelBytesFromConnector;
    private final Map<String, Counter> channelOpens = new ConcurrentHashMap<>();
    private final Map<Reason, Counter> channelRefusals = new ConcurrentHashMap<>();
    private MultiGauge perLocation;

    public TunnelMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.bytesToConnector = Counter.builder("cp_tunnel_bytes")
                .tag("direction", "to_connector")
                .description("Stream payload bytes relayed to connectors")
                .register(registry);
        this.bytesFromConnector = Counter.builder("cp_tunnel_bytes")
                .tag("direction", "from_connector")
                .description("Stream payload bytes relayed from connectors")
                .register(registry);
        Gauge.builder("cp_tunnel_channel_streams_open", channelStreams, AtomicInteger::get)
                .description("Service-channel streams connected to cluster services on this node")
                .register(registry);
        this.channelBytesToConnector = Counter.builder("cp_tunnel_channel_bytes")
                .tag("direction", "to_connector")
                .description("Service-channel payload bytes, cluster service to connector and back")
                .register(registry);
        this.channelBytesFromConnector = Counter.builder("cp_tunnel_channel_bytes")
                .tag("direction", "from_connector")
                .description("Service-channel payload bytes, cluster service to connector and back")
                .register(registry);
        this.handshakesRejected = Counter.builder("cp_tunnel_handshakes_rejected")
                .description("Connector handshakes refused (authentication, version, malformed)")
                .register(registry);
    }

    void bind(SessionBroker broker) {
        Gauge.builder("connectivity_business_data_tunnels_count", broker, b -> b.sessions().stream()
                        .filter(s -> s.state() == ConnectorSession.State.ACTIVE)
                        .count())
                .description("Live connector sessions (business data tunnels) on this node")
                .register(registry);
        Gauge.builder("cp_tunnel_streams_open", broker, SessionBroker::openStreams)
                .description("Streams relayed through this node right now")
                .register(registry);
        perLocation = MultiGauge.builder("cp_tunnel_sessions")
                .description("Live connector sessions on this node by subaccount and location")
                .register(registry);
    }

    /** Recomputes the per-location rows; called whenever a session becomes active or leaves. */
    synchronized void sessionsChanged(Collection<ConnectorSession> sessions) {
        Map<SessionKey, Long> counts = new HashMap<>();
        for (ConnectorSession session : sessions) {
            if (session.key() != null && session.state() == ConnectorSession.State.ACTIVE) {
                counts.merge(session.key(), 1L, Long::sum);
            }
        }
        perLocation.register(
                counts.entrySet().stream()
                        .map(e -> MultiGauge.Row.of(
                                Tags.of(
                                        "subaccount",
                                        e.getKey().subaccount(),
                                        "location",
                                        e.getKey().locationId()),
                                e.getValue()))
                        .toList(),
                true);
    }

    void bytes(int length, boolean toConnector) {
        (toConnector ? bytesToConnector : bytesFromConnector).increment(length);
    }

    void openFailure(Reason reason) {
        openFailures
                .computeIfAbsent(reason, r -> Counter.builder("cp_tunnel_stream_open_failures")
                        .tag("reason", r.name())
                        .description("Streams that could not be opened, by reason")
                        .register(registry))
                .increment();
    }

    /** A channel stream reached its cluster service; tagged by the mapping's service id (bounded by the mappings). */
    void channelOpened(String serviceId) {
        channelStreams.incrementAndGet();
        channelOpens
                .computeIfAbsent(serviceId, id -> Counter.builder("cp_tunnel_channel_opens")
                        .tag("service", id)
                        .description("Service-channel streams connected, by service id")
                        .register(registry))
                .increment();
    }

    void channelClosed() {
        channelStreams.decrementAndGet();
    }

    void channelBytes(long length, boolean toConnector) {
        (toConnector ? channelBytesToConnector : channelBytesFromConnector).increment(length);
    }

    /** Tagged by reason only: a refused service id comes from the connector and could be anything. */
    void channelRefused(Reason reason) {
        channelRefusals
                .computeIfAbsent(reason, r -> Counter.builder("cp_tunnel_channel_refusals")
                        .tag("reason", r.name())
                        .description("Service-channel streams refused, by reason")
                        .register(registry))
                .increment();
    }

    void handshakeRejected() {
        handshakesRejected.increment();
    }
}
