package io.connectivityproxy.operator.dependent;

import java.util.List;
import java.util.stream.Collectors;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.ServiceMappings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/** ConfigMap {@code connectivity-proxy-service-mappings}: the accepted ServiceMappings, for tunnel-service. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ServiceMappingsConfigMapDependent extends OwnedDependent<ConfigMap> {

    /** The informer on ServiceMappings: any change reconciles the installations, which re-render this ConfigMap. */
    public static final String EVENT_SOURCE = "service-mappings";

    public ServiceMappingsConfigMapDependent() {
        super(ConfigMap.class, ServiceMappings.CONFIG_MAP);
    }

    public static InformerEventSource<ServiceMapping, ConnectivityProxy> mappingsEventSource(EventSourceContext<ConnectivityProxy> context) {
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(ServiceMapping.class, ConnectivityProxy.class)
                .withName(EVENT_SOURCE)
                .withSecondaryToPrimaryMapper(mapping -> context.getPrimaryCache().list().map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build(), context);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected ConfigMap desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        var source = (InformerEventSource<ServiceMapping, ConnectivityProxy>) context.eventSourceRetriever()
                .getEventSourceFor(ServiceMapping.class, EVENT_SOURCE);
        List<ServiceMapping> mappings = source.list(m -> true).collect(Collectors.toList());
        return ServiceMappings.configMap(primary, mappings);
    }
}
