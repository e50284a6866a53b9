package io.connectivityproxy.operator.dependent;

import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.TunnelIngress;
import io.connectivityproxy.operator.model.istio.VirtualService;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** Istio VirtualService {@code connectivity-proxy-tunnel}: the gateway's route to tunnel-service. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class VirtualServiceDependent extends OwnedDependent<VirtualService> {

    // Injected for its side effect: the kind is registered before this dependent's informer starts.
    @Inject
    ExternalResourceTypes types;

    public VirtualServiceDependent() {
        super(VirtualService.class, Names.GATEWAY);
    }

    @Override
    protected VirtualService desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return TunnelIngress.virtualService(
                primary, InstallationInputs.from(context).resolved());
    }
}
