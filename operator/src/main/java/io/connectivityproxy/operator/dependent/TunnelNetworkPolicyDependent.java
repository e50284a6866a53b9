package io.connectivityproxy.operator.dependent;

import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.config.OperatorConfig;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.NetworkPolicies;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** NetworkPolicy {@code connectivity-proxy-tunnel}: who reaches tunnel-service's ports (the gateway, for the tunnel). */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class TunnelNetworkPolicyDependent extends OwnedDependent<NetworkPolicy> {

    @Inject
    OperatorConfig config;

    public TunnelNetworkPolicyDependent() {
        super(NetworkPolicy.class, Names.TUNNEL);
    }

    @Override
    protected NetworkPolicy desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return NetworkPolicies.tunnel(primary, config.ingressNamespace(), config.ingressGatewaySelector());
    }
}
