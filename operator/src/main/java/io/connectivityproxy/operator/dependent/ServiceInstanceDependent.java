package io.connectivityproxy.operator.dependent;

import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.ServiceKeyProvisioning;
import io.connectivityproxy.operator.model.btp.ServiceInstance;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** btp-operator ServiceInstance {@code connectivity-proxy} (offering connectivity, plan connectivity_proxy). */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ServiceInstanceDependent extends CreateOnlyDependent<ServiceInstance> {

    // Injected for its side effect: the kind is registered before this dependent's informer starts.
    @Inject
    ExternalResourceTypes types;

    public ServiceInstanceDependent() {
        super(ServiceInstance.class, Names.SERVICE_INSTANCE);
    }

    @Override
    protected ServiceInstance desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return ServiceKeyProvisioning.serviceInstance(primary);
    }
}
