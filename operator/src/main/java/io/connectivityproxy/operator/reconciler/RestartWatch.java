package io.connectivityproxy.operator.reconciler;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.RestartFingerprint;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Automatic pickup: informers on Secrets and ConfigMaps carrying the restart label. A change to
 * one triggers a reconcile of the installations its label value names (empty: all), whose
 * workloads then roll because the fingerprint in their config hash changed.
 */
final class RestartWatch {

    static final String SECRETS = "restart-secrets";
    static final String CONFIG_MAPS = "restart-config-maps";

    private RestartWatch() {}

    static List<EventSource<?, ConnectivityProxy>> eventSources(EventSourceContext<ConnectivityProxy> context) {
        return List.of(informer(Secret.class, SECRETS, context), informer(ConfigMap.class, CONFIG_MAPS, context));
    }

    static String fingerprint(ConnectivityProxy cr, Context<ConnectivityProxy> context) {
        if (!cr.getSpec().getDeployment().getRestartWatcher().isEnabled()) {
            return RestartFingerprint.NONE;
        }
        String name = cr.getMetadata().getName();
        String namespace = cr.getMetadata().getNamespace();
        List<Secret> secrets =
                cache(context, Secret.class, SECRETS).list(s -> true).collect(Collectors.toList());
        List<ConfigMap> configMaps =
                cache(context, ConfigMap.class, CONFIG_MAPS).list(c -> true).collect(Collectors.toList());
        return RestartFingerprint.of(secrets, configMaps, name, namespace);
    }

    private static <R extends HasMetadata> InformerEventSource<R, ConnectivityProxy> informer(
            Class<R> type, String name, EventSourceContext<ConnectivityProxy> context) {
        // Label existence only: the value decides which installation, and a wrong value maps to none.
        SecondaryToPrimaryMapper<R> mapper = resource -> installationsConcerned(resource, context);
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(type, ConnectivityProxy.class)
                        .withName(name)
                        .withLabelSelector(Names.RESTART_LABEL)
                        .withSecondaryToPrimaryMapper(mapper)
                        .build(),
                context);
    }

    private static Set<ResourceID> installationsConcerned(
            HasMetadata resource, EventSourceContext<ConnectivityProxy> context) {
        return context.getPrimaryCache()
                .list()
                .filter(cp -> RestartFingerprint.concerns(
                        resource.getMetadata().getLabels(),
                        cp.getMetadata().getName(),
                        cp.getMetadata().getNamespace()))
                .map(ResourceID::fromResource)
                .collect(Collectors.toSet());
    }

    @SuppressWarnings("unchecked")
    private static <R extends HasMetadata> InformerEventSource<R, ConnectivityProxy> cache(
            Context<ConnectivityProxy> context, Class<R> type, String name) {
        return (InformerEventSource<R, ConnectivityProxy>)
                context.eventSourceRetriever().getEventSourceFor(type, name);
    }
}
