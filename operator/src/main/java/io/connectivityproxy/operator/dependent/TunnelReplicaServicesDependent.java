package io.connectivityproxy.operator.dependent;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.TunnelReplicas;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.CRUDKubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Services {@code connectivity-proxy-tunnel-<ordinal>}, one per tunnel-service pod (see
 * {@link TunnelReplicas}). A bulk dependent: JOSDK creates and updates the desired ones and deletes
 * every other one it finds, which is what scaling down must do; the finalizer deletes them all.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR + "," + Names.TUNNEL_REPLICA_LABEL))
public class TunnelReplicaServicesDependent extends KubernetesDependentResource<Service, ConnectivityProxy>
        implements CRUDKubernetesBulkDependentResource<Service, ConnectivityProxy>,
                KubernetesBulkDependentResource<Service, ConnectivityProxy> {

    public TunnelReplicaServicesDependent() {
        super(Service.class);
    }

    @Override
    public Map<ResourceID, Service> desiredResources(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return TunnelReplicas.services(primary).stream()
                .collect(Collectors.toMap(ResourceID::fromResource, Function.identity()));
    }

    /**
     * From this dependent's own informer, which sees only the per-replica Services: the default
     * would collect every Service informer's cache, where the other Service dependents see them too.
     */
    @Override
    public Map<ResourceID, Service> getSecondaryResources(
            ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return eventSource().orElseThrow().getSecondaryResources(primary).stream()
                .filter(service -> service.getMetadata().getLabels().containsKey(Names.TUNNEL_REPLICA_LABEL))
                .collect(Collectors.toMap(ResourceID::fromResource, Function.identity()));
    }
}
