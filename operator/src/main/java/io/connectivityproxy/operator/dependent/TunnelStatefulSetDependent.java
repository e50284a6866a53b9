package io.connectivityproxy.operator.dependent;

import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.DependentNames;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.TlsSecrets;
import io.connectivityproxy.operator.model.Workloads;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** StatefulSet {@code connectivity-proxy-tunnel}: tunnel-service, pods {@code connectivity-proxy-tunnel-<ordinal>}. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class TunnelStatefulSetDependent extends OwnedDependent<StatefulSet> {

    @Inject
    ImagesProvider images;

    public TunnelStatefulSetDependent() {
        super(StatefulSet.class, Names.TUNNEL);
    }

    @Override
    protected StatefulSet desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return Workloads.tunnelService(
                primary,
                InstallationInputs.from(context).resolved(),
                images.get(),
                TlsSecrets.certificateFingerprint(ManagedSecrets.get(
                        primary, context, DependentNames.CLUSTER_TLS_SECRET, Names.CLUSTER_TLS_SECRET)));
    }
}
