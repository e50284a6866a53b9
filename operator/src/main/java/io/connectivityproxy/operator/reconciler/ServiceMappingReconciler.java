package io.connectivityproxy.operator.reconciler;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.connectivityproxy.operator.api.ServiceMappingStatus;
import io.connectivityproxy.operator.model.ClusterFacts;
import io.connectivityproxy.operator.model.ConfigResolver;
import io.connectivityproxy.operator.model.RestartFingerprint;
import io.connectivityproxy.operator.model.ServiceChannelSettings;
import io.connectivityproxy.operator.model.ServiceMappings;
import io.connectivityproxy.operator.model.SingleInstallation;
import io.connectivityproxy.operator.model.SpecValidator;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Accepts or rejects each ServiceMapping against the installation (service channels on, tenant
 * mode, external host) and against the other mappings (one per type, subaccount and serviceId),
 * and writes its status with the endpoint connectors use. tunnel-service watches the mappings
 * itself. Whatever one mapping's verdict depends on reconciles it: a change of any mapping's spec,
 * a mapping that appears or disappears, and any change of a ConnectivityProxy.
 */
@ControllerConfiguration(
        name = ServiceMappingReconciler.NAME,
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class ServiceMappingReconciler implements Reconciler<ServiceMapping> {

    public static final String NAME = "servicemapping";
    static final String INSTALLATIONS = "installations";
    static final String MAPPINGS = "all-service-mappings";

    @Inject
    ClusterInspector inspector;

    @Inject
    Clock clock;

    @Override
    public List<EventSource<?, ServiceMapping>> prepareEventSources(EventSourceContext<ServiceMapping> context) {
        InformerEventSource<ConnectivityProxy, ServiceMapping> installations = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ConnectivityProxy.class, ServiceMapping.class)
                        .withName(INSTALLATIONS)
                        .withSecondaryToPrimaryMapper(cp -> everyMapping(context))
                        .build(),
                context);
        // The verdict reads this informer's cache, so a deletion it reports is already gone from what is read.
        InformerEventSource<ServiceMapping, ServiceMapping> mappings = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ServiceMapping.class, ServiceMapping.class)
                        .withName(MAPPINGS)
                        .withSecondaryToPrimaryMapper(mapping -> everyMapping(context))
                        .withOnUpdateFilter(
                                (updated, previous) -> !Objects.equals(updated.getSpec(), previous.getSpec()))
                        .build(),
                context);
        return List.of(installations, mappings);
    }

    @Override
    public UpdateControl<ServiceMapping> reconcile(ServiceMapping mapping, Context<ServiceMapping> context) {
        ServiceMappingStatus status =
                ServiceMappings.status(mapping, allMappings(mapping, context), installation(context), clock.instant());
        if (status.equals(mapping.getStatus())) {
            return UpdateControl.noUpdate();
        }
        mapping.setStatus(status);
        return UpdateControl.patchStatus(mapping);
    }

    /** The installation's service channel settings; empty without one, or when its spec is invalid (it installs nothing). */
    private Optional<ServiceChannelSettings> installation(Context<ServiceMapping> context) {
        List<ConnectivityProxy> all =
                cache(context, ConnectivityProxy.class, INSTALLATIONS).list().collect(Collectors.toList());
        return all.stream()
                .filter(cp -> SingleInstallation.otherActive(cp, all).isEmpty())
                .findFirst()
                .filter(cp -> SpecValidator.validate(cp.getSpec()).isEmpty())
                .map(this::settings);
    }

    private ServiceChannelSettings settings(ConnectivityProxy cr) {
        String namespace = cr.getMetadata().getNamespace();
        // The external host and the subaccount are resolved from the domain and the service key only.
        ClusterFacts facts = new ClusterFacts(
                false,
                false,
                inspector.clusterDomain(),
                inspector.serviceKey(namespace, ConfigResolver.serviceKeySecretName(cr.getSpec())),
                RestartFingerprint.NONE);
        return ServiceChannelSettings.of(cr, ConfigResolver.resolve(cr, facts));
    }

    /** Every mapping, with {@code mapping} as this reconcile sees it (the cache may not have it yet). */
    private static List<ServiceMapping> allMappings(ServiceMapping mapping, Context<ServiceMapping> context) {
        Map<String, ServiceMapping> byName = cache(context, ServiceMapping.class, MAPPINGS)
                .list()
                .collect(Collectors.toMap(m -> m.getMetadata().getName(), Function.identity()));
        byName.put(mapping.getMetadata().getName(), mapping);
        return new ArrayList<>(byName.values());
    }

    private static Set<ResourceID> everyMapping(EventSourceContext<ServiceMapping> context) {
        return context.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    @SuppressWarnings("unchecked")
    private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> InformerEventSource<R, ServiceMapping> cache(
            Context<ServiceMapping> context, Class<R> type, String name) {
        return (InformerEventSource<R, ServiceMapping>)
                context.eventSourceRetriever().getEventSourceFor(type, name);
    }
}
