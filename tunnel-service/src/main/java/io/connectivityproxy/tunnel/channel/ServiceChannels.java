package io.connectivityproxy.tunnel.channel;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.connectivityproxy.protocol.Ids;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.tunnel.TunnelSettings;
import io.connectivityproxy.tunnel.channel.ServiceMappingReader.MappingSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * The catalogue of service channels (issue 10): which {@code ServiceMapping} a stream that a
 * connector opens for a service id may reach. Mappings come from one source, a watched YAML file
 * ({@code tunnel.service-channels.mappings-file}) or the Kubernetes API
 * ({@code tunnel.service-channels.kubernetes}); each change of the source replaces the whole
 * catalogue, an immutable snapshot that {@link #resolve} reads without locking. A change applies
 * to opens after it; streams already open are not touched.
 *
 * <p>Metrics: {@code cp_service_channel_mappings} (usable mappings) and
 * {@code cp_service_channel_problems} (skipped resources and source trouble, see {@link #problems}).
 */
@Singleton
public class ServiceChannels {

    /** Refusal messages are shorter than this many UTF-8 bytes (what an OPEN_FAIL frame carries). */
    public static final int MAX_MESSAGE_BYTES = 1024;

    private static final Logger LOG = Logger.getLogger(ServiceChannels.class);

    private final Vertx vertx;
    private final TunnelSettings.ServiceChannels settings;
    private final Supplier<KubernetesClient> kubernetes;
    private final MeterRegistry registry;
    private volatile Catalogue catalogue;
    private MappingSource source;
    // Guarded by this: the resource problems last logged, so each distinct set is logged once.
    private List<String> loggedProblems = List.of();

    @Inject
    public ServiceChannels(
            Vertx vertx, TunnelSettings settings, Instance<KubernetesClient> kubernetes, MeterRegistry registry) {
        // The client is only looked up, and so only configured and created, when the informer starts.
        this(vertx, settings.serviceChannels(), kubernetes::get, registry);
    }

    ServiceChannels(
            Vertx vertx,
            TunnelSettings.ServiceChannels settings,
            Supplier<KubernetesClient> kubernetes,
            MeterRegistry registry) {
        this.vertx = vertx;
        this.settings = settings;
        this.kubernetes = kubernetes;
        this.registry = registry;
        this.catalogue = settings.enabled() ? Catalogue.EMPTY : Catalogue.DISABLED;
    }

    // Before the tunnel endpoint (default priority) starts taking opens, so the first opens see the file.
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION) StartupEvent event) {
        start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    /**
     * Checks the settings, then starts the configured source: a file is read here once before
     * this returns; the Kubernetes informer starts in the background.
     *
     * @throws IllegalStateException when the settings contradict each other
     */
    synchronized void start() {
        Optional<String> defaultSubaccount = settings.defaultSubaccount().filter(s -> !s.isBlank());
        check(defaultSubaccount);
        Gauge.builder("cp_service_channel_mappings", this, c -> c.catalogue
                        .entries()
                        .size())
                .description("ServiceMappings in force for service channels")
                .register(registry);
        Gauge.builder("cp_service_channel_problems", this, c -> c.catalogue
                        .problems()
                        .size())
                .description("ServiceMappings skipped as unusable, plus trouble with their source")
                .register(registry);
        if (!settings.enabled()) {
            LOG.info("service channels are disabled (tunnel.service-channels.enabled=false): every open is refused");
            return;
        }
        ServiceMappingReader reader = new ServiceMappingReader(settings.tenantMode(), defaultSubaccount);
        if (settings.mappingsFile().isPresent()) {
            source = new FileSource(
                    vertx, settings.mappingsFile().get(), settings.pollInterval(), reader, this::publish);
        } else if (settings.kubernetes()) {
            source = new KubernetesSource(kubernetes, reader, this::publish);
        } else {
            LOG.warn("service channels: neither tunnel.service-channels.mappings-file nor "
                    + "tunnel.service-channels.kubernetes is set, so there are no service mappings");
            return;
        }
        source.start();
    }

    synchronized void stop() {
        if (source != null) {
            source.stop();
            source = null;
        }
    }

    private void check(Optional<String> defaultSubaccount) {
        if (settings.mappingsFile().isPresent() && settings.kubernetes()) {
            throw new IllegalStateException("tunnel.service-channels.mappings-file and "
                    + "tunnel.service-channels.kubernetes=true are both set: ServiceMappings come from one source, "
                    + "unset one of them");
        }
        if (settings.pollInterval().isNegative() || settings.pollInterval().isZero()) {
            throw new IllegalStateException(
                    "tunnel.service-channels.poll-interval must be positive, was " + settings.pollInterval());
        }
        if (defaultSubaccount.isPresent() && !Ids.valid(defaultSubaccount.get())) {
            throw new IllegalStateException("tunnel.service-channels.default-subaccount must be a subaccount id "
                    + "(letters, digits, '.', '_', '~', '-', at most 128), was "
                    + Untrusted.quoted(defaultSubaccount.get()));
        }
    }

    /** Replaces the catalogue; each distinct set of resource problems is logged once. */
    private synchronized void publish(MappingSet set, List<String> sourceProblems) {
        catalogue = Catalogue.of(set, sourceProblems);
        if (!set.problems().equals(loggedProblems)) {
            loggedProblems = set.problems();
            if (!loggedProblems.isEmpty()) {
                LOG.warnf(
                        "service channels: %d ServiceMapping problems, those resources are skipped:%n  %s",
                        loggedProblems.size(), String.join("\n  ", loggedProblems));
            }
        }
    }

    /**
     * The one mapping a stream that the connector of {@code subaccount} at {@code locationId}
     * ({@code ""}: the default location) opens for {@code serviceId} of {@code type} may reach,
     * or why it is refused. Rules, in order: service channels disabled; type other than TCP or
     * RFC ({@code PROTOCOL_NOT_ALLOWED}); no mapping of that subaccount, type and service id, or
     * more than one ({@code UNKNOWN_SERVICE}; mappings of other subaccounts are never seen);
     * the mapping not open to the location ({@code LOCATION_NOT_ALLOWED}). Ids compare exactly.
     * Thread-safe, never blocks.
     */
    public Resolution resolve(String subaccount, String locationId, TargetProtocol type, String serviceId) {
        return catalogue.resolve(subaccount, locationId, type, serviceId);
    }

    public boolean enabled() {
        return catalogue.enabled();
    }

    /** The usable mappings now, sorted by name. */
    public List<ServiceMappingEntry> mappings() {
        return catalogue.entries();
    }

    /**
     * What is wrong now, one line each: first the source (file missing or not in force, API
     * refusing), then each skipped resource and each ambiguous service id. For the admin view;
     * lines may name internal addresses, so never send them to a connector.
     */
    public List<String> problems() {
        return catalogue.problems();
    }
}
