package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.ProxyServices;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** Service {@code connectivity-proxy}: the proxy listeners. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ProxyServiceDependent extends OwnedDependent<Service> {

    public ProxyServiceDependent() {
        super(Service.class, Names.PROXY);
    }

    @Override
    protected Service desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return ProxyServices.proxy(primary);
    }
}
