package io.connectivityproxy.connector;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.WindowBudget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.inject.Singleton;

/** Connector metrics at {@code /q/metrics}: sessions, open streams, bytes, refused streams by reason. */
@Singleton
public class ConnectorMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger sessions;
    private final AtomicInteger streams;
    private final Counter bytesToCloud;
    private final Counter backendConnectionsOpened;
    private final Counter backendConnectionsReused;
    private final Map<Reason, Counter> openFailures = new ConcurrentHashMap<>();

    public ConnectorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.sessions = registry.gauge("cp_connector_sessions_active", new AtomicInteger());
        this.streams = registry.gauge("cp_connector_streams_open", new AtomicInteger());
        this.bytesToCloud = Counter.builder("cp_connector_bytes").tag("direction", "to_cloud")
                .description("Backend bytes sent into the tunnel").register(registry);
        this.backendConnectionsOpened = Counter.builder("cp_connector_backend_connections")
                .tag("event", "opened").description("HTTP(S) backend connections made, and kept-alive ones reused")
                .register(registry);
        this.backendConnectionsReused = Counter.builder("cp_connector_backend_connections")
                .tag("event", "reused").description("HTTP(S) backend connections made, and kept-alive ones reused")
                .register(registry);
    }

    void backendConnectionOpened() {
        backendConnectionsOpened.increment();
    }

    void backendConnectionReused() {
        backendConnectionsReused.increment();
    }

    /** Exposes the window budget the sessions' streams grow their windows from. */
    void windowBudget(WindowBudget budget) {
        Gauge.builder("cp_connector_window_budget_available_bytes", budget, WindowBudget::available)
                .description("Window growth streams may still take (streams.windowBudget minus what they hold)")
                .register(registry);
        FunctionCounter.builder("cp_connector_window_growth_bytes", budget, WindowBudget::grantedTotal)
                .description("Window growth granted to streams whose window held them back").register(registry);
    }

    /** Principal propagation: user certificates made and principals holding one now. */
    void principalCertificates(io.connectivityproxy.connector.principal.CertificateCache cache) {
        FunctionCounter.builder("cp_connector_principal_certificates_issued", cache,
                io.connectivityproxy.connector.principal.CertificateCache::issued)
                .description("user certificates made for propagated principals").register(registry);
        Gauge.builder("cp_connector_principal_certificates_cached", cache,
                io.connectivityproxy.connector.principal.CertificateCache::size)
                .description("principals with a valid certificate in the cache").register(registry);
    }

    void sessionUp() {
        sessions.incrementAndGet();
    }

    void sessionDown() {
        sessions.decrementAndGet();
    }

    int activeSessions() {
        return sessions.get();
    }

    void streamOpened() {
        streams.incrementAndGet();
    }

    void streamClosed() {
        streams.decrementAndGet();
    }

    void bytesToCloud(long length) {
        bytesToCloud.increment(length);
    }

    // ---- service channels (tagged by service id and listen address; both come from the file) ----

    /** The meters of one service channel, looked up once (the byte counters are on the data path). */
    final class ChannelMeters {
        private final Tags tags;
        private final Counter connections;
        private final Counter toCloud;
        private final Counter fromCloud;
        private final Map<Reason, Counter> refusals = new ConcurrentHashMap<>();

        private ChannelMeters(ChannelSettings channel, Supplier<Number> openConnections) {
            tags = Tags.of("service", channel.serviceId(), "listen", channel.listenAddress());
            Gauge.builder("cp_connector_channel_streams_open", openConnections).tags(tags)
                    .description("Service-channel client connections (one tunnel stream each) open now")
                    .register(registry);
            connections = Counter.builder("cp_connector_channel_connections").tags(tags)
                    .description("On-premise client connections accepted by a service channel").register(registry);
            toCloud = Counter.builder("cp_connector_channel_bytes").tags(tags).tag("direction", "to_cloud")
                    .description("Service-channel payload bytes, client to cloud and back").register(registry);
            fromCloud = Counter.builder("cp_connector_channel_bytes").tags(tags).tag("direction", "from_cloud")
                    .description("Service-channel payload bytes, client to cloud and back").register(registry);
        }

        void connection() {
            connections.increment();
        }

        void bytes(long length, boolean towardsCloud) {
            (towardsCloud ? toCloud : fromCloud).increment(length);
        }

        void refused(Reason reason) {
            refusals.computeIfAbsent(reason, r -> Counter.builder("cp_connector_channel_refusals").tags(tags)
                    .tag("reason", r.name())
                    .description("Service-channel connections refused by the cloud or the channel's limit, by reason")
                    .register(registry)).increment();
        }
    }

    ChannelMeters channel(ChannelSettings channel, Supplier<Number> openConnections) {
        return new ChannelMeters(channel, openConnections);
    }

    void openFailure(Reason reason) {
        openFailures.computeIfAbsent(reason, r -> Counter.builder("cp_connector_stream_open_failures")
                .tag("reason", r.name()).description("Streams the connector refused or could not connect, by reason")
                .register(registry)).increment();
    }
}
