package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.TunnelServiceRbac;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** ServiceAccount {@code connectivity-proxy-tunnel}: tunnel-service's identity in the API server. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class TunnelServiceAccountDependent extends OwnedDependent<ServiceAccount> {

    public TunnelServiceAccountDependent() {
        super(ServiceAccount.class, Names.TUNNEL_SERVICE_ACCOUNT);
    }

    @Override
    protected ServiceAccount desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return TunnelServiceRbac.serviceAccount(primary);
    }
}
