package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.TunnelServiceRbac;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** ClusterRole {@code connectivity-proxy-tunnel}: read ServiceMappings. Cluster-scoped, removed by the finalizer. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class TunnelClusterRoleDependent extends OwnedDependent<ClusterRole> {

    public TunnelClusterRoleDependent() {
        super(ClusterRole.class, Names.TUNNEL_CLUSTER_ROLE);
    }

    @Override
    protected String namespaceOf(ConnectivityProxy primary) {
        return null;
    }

    @Override
    protected ClusterRole desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return TunnelServiceRbac.clusterRole(primary);
    }
}
