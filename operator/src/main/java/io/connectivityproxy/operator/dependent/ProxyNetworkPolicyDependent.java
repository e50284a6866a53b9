package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.NetworkPolicies;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** NetworkPolicy {@code connectivity-proxy}: who reaches proxy-service's ports. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ProxyNetworkPolicyDependent extends OwnedDependent<NetworkPolicy> {

    public ProxyNetworkPolicyDependent() {
        super(NetworkPolicy.class, Names.PROXY);
    }

    @Override
    protected NetworkPolicy desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return NetworkPolicies.proxy(primary);
    }
}
