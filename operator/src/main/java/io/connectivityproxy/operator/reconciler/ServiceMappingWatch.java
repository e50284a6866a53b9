package io.connectivityproxy.operator.reconciler;

import java.util.List;
import java.util.stream.Collectors;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.connectivityproxy.operator.model.ServiceChannelObservation;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * The installation's informer on ServiceMappings: a mapping that appears or disappears reconciles
 * the installations, whose status warns about mappings that exist while service channels are off.
 */
final class ServiceMappingWatch {

    static final String EVENT_SOURCE = "service-mappings";

    private ServiceMappingWatch() {}

    static InformerEventSource<ServiceMapping, ConnectivityProxy> eventSource(
            EventSourceContext<ConnectivityProxy> context) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ServiceMapping.class, ConnectivityProxy.class)
                        .withName(EVENT_SOURCE)
                        .withSecondaryToPrimaryMapper(mapping -> context.getPrimaryCache()
                                .list()
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        // Only the names count here; the mappings' own status writes must not reconcile the
                        // installation.
                        .withOnUpdateFilter((updated, previous) -> false)
                        .build(),
                context);
    }

    @SuppressWarnings("unchecked")
    static ServiceChannelObservation observe(ConnectivityProxy cr, Context<ConnectivityProxy> context) {
        var source = (InformerEventSource<ServiceMapping, ConnectivityProxy>)
                context.eventSourceRetriever().getEventSourceFor(ServiceMapping.class, EVENT_SOURCE);
        List<String> names = source.list(m -> true)
                .map(m -> m.getMetadata().getName())
                .sorted()
                .collect(Collectors.toList());
        return new ServiceChannelObservation(
                cr.getSpec().getConfig().getServiceChannels().isEnabled(), names);
    }
}
