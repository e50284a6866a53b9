package io.connectivityproxy.operator.dependent;

import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.config.OperatorConfig;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.TunnelIngress;
import io.connectivityproxy.operator.model.istio.Gateway;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** Istio Gateway {@code connectivity-proxy-tunnel}: mutual TLS for the external host. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class GatewayDependent extends OwnedDependent<Gateway> {

    @Inject
    OperatorConfig config;

    // Injected for its side effect: the kind is registered before this dependent's informer starts.
    @Inject
    ExternalResourceTypes types;

    public GatewayDependent() {
        super(Gateway.class, Names.GATEWAY);
    }

    @Override
    protected Gateway desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return TunnelIngress.gateway(
                primary, InstallationInputs.from(context).resolved(), config.ingressGatewaySelector());
    }
}
