package io.connectivityproxy.connector;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import jakarta.inject.Singleton;

import io.connectivityproxy.admin.RecentRefusals;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.WindowBudget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

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
    private final RecentRefusals recentRefusals = new RecentRefusals(50, java.time.Clock.systemUTC());
    private final AtomicInteger configNotInForce = new AtomicInteger();
    private final AtomicInteger configRestartRequired = new AtomicInteger();
    private final Counter configReloads;
    private final Counter configReloadFailures;

    public ConnectorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.sessions = registry.gauge("cp_connector_sessions_active", new AtomicInteger());
        this.streams = registry.gauge("cp_connector_streams_open", new AtomicInteger());
        this.bytesToCloud = Counter.builder("cp_connector_bytes")
                .tag("direction", "to_cloud")
                .description("Backend bytes sent into the tunnel")
                .register(registry);
        this.backendConnectionsOpened = Counter.builder("cp_connector_backend_connections")
                .tag("event", "opened")
                .description("HTTP(S) backend connections made, and kept-alive ones reused")
                .register(registry);
        this.backendConnectionsReused = Counter.builder("cp_connector_backend_connections")
                .tag("event", "reused")
                .description("HTTP(S) backend connections made, and kept-alive ones reused")
                .register(registry);
        Gauge.builder("cp_connector_config_file_not_in_force", configNotInForce, AtomicInteger::get)
                .description("1 while the connector file on disk is refused (invalid, unreadable or missing) and the "
                        + "configuration read before stays in force")
                .register(registry);
        Gauge.builder("cp_connector_config_restart_required", configRestartRequired, AtomicInteger::get)
                .description("1 while the file in force changes settings that only a restart applies")
                .register(registry);
        this.configReloads = Counter.builder("cp_connector_config_reloads")
                .description("Changed connector files applied without a restart")
                .register(registry);
        this.configReloadFailures = Counter.builder("cp_connector_config_reload_failures")
                .description("Changed connector files refused (the previous configuration stayed in force)")
                .register(registry);
    }

    // ---- the connector file, watched at run time ----

    void configInForce(boolean inForce) {
        configNotInForce.set(inForce ? 0 : 1);
    }

    void configRestartRequired(boolean required) {
        configRestartRequired.set(required ? 1 : 0);
    }

    void configReloaded() {
        configReloads.increment();
    }

    void configReloadFailed() {
        configReloadFailures.increment();
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
                .description("Window growth granted to streams whose window held them back")
                .register(registry);
    }

    /** Principal propagation: user certificates made and principals holding one now. */
    void principalCertificates(io.connectivityproxy.connector.principal.CertificateCache cache) {
        FunctionCounter.builder(
                        "cp_connector_principal_certificates_issued",
                        cache,
                        io.connectivityproxy.connector.principal.CertificateCache::issued)
                .description("user certificates made for propagated principals")
                .register(registry);
        Gauge.builder(
                        "cp_connector_principal_certificates_cached",
                        cache,
                        io.connectivityproxy.connector.principal.CertificateCache::size)
                .description("principals with a valid certificate in the cache")
                .register(registry);
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

    int openStreams() {
        return streams.get();
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
        private final Gauge open;

        private ChannelMeters(ChannelSettings channel, Supplier<Number> openConnections) {
            tags = Tags.of("service", channel.serviceId(), "listen", channel.listenAddress());
            open = Gauge.builder("cp_connector_channel_streams_open", openConnections)
                    .tags(tags)
                    .description("Service-channel client connections (one tunnel stream each) open now")
                    .register(registry);
            connections = Counter.builder("cp_connector_channel_connections")
                    .tags(tags)
                    .description("On-premise client connections accepted by a service channel")
                    .register(registry);
            toCloud = Counter.builder("cp_connector_channel_bytes")
                    .tags(tags)
                    .tag("direction", "to_cloud")
                    .description("Service-channel payload bytes, client to cloud and back")
                    .register(registry);
            fromCloud = Counter.builder("cp_connector_channel_bytes")
                    .tags(tags)
                    .tag("direction", "from_cloud")
                    .description("Service-channel payload bytes, client to cloud and back")
                    .register(registry);
        }

        void connection() {
            connections.increment();
        }

        void bytes(long length, boolean towardsCloud) {
            (towardsCloud ? toCloud : fromCloud).increment(length);
        }

        void refused(Reason reason) {
            refusals.computeIfAbsent(reason, r -> Counter.builder("cp_connector_channel_refusals")
                            .tags(tags)
                            .tag("reason", r.name())
                            .description(
                                    "Service-channel connections refused by the cloud or the channel's limit, by reason")
                            .register(registry))
                    .increment();
        }

        /** Drops the open-connections gauge of a channel that no longer exists (counters keep their totals). */
        void remove() {
            registry.remove(open);
        }
    }

    ChannelMeters channel(ChannelSettings channel, Supplier<Number> openConnections) {
        return new ChannelMeters(channel, openConnections);
    }

    /** A refused or failed stream, with the message its opener got: counted, and kept for the status page. */
    void openFailure(Reason reason, String message) {
        openFailure(reason);
        recentRefusals.add(reason.name(), message);
    }

    RecentRefusals recentRefusals() {
        return recentRefusals;
    }

    /** Refused or failed streams since the start, by reason. */
    Map<Reason, Double> openFailuresByReason() {
        Map<Reason, Double> out = new java.util.TreeMap<>();
        openFailures.forEach((reason, counter) -> out.put(reason, counter.count()));
        return out;
    }

    /** Service-channel payload bytes of all channels since the start, towards the cloud (true) or from it. */
    double channelBytes(boolean towardsCloud) {
        return registry
                .find("cp_connector_channel_bytes")
                .tag("direction", towardsCloud ? "to_cloud" : "from_cloud")
                .counters()
                .stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    double bytesToCloud() {
        return bytesToCloud.count();
    }

    void openFailure(Reason reason) {
        openFailures
                .computeIfAbsent(reason, r -> Counter.builder("cp_connector_stream_open_failures")
                        .tag("reason", r.name())
                        .description("Streams the connector refused or could not connect, by reason")
                        .register(registry))
                .increment();
    }
}
