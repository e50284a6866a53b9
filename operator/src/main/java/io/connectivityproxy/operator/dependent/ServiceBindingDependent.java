package io.connectivityproxy.operator.dependent;

import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.ServiceKeyProvisioning;
import io.connectivityproxy.operator.model.btp.ServiceBinding;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** btp-operator ServiceBinding {@code connectivity-proxy}: writes the service key Secret. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ServiceBindingDependent extends CreateOnlyDependent<ServiceBinding> {

    // Injected for its side effect: the kind is registered before this dependent's informer starts.
    @Inject
    ExternalResourceTypes types;

    public ServiceBindingDependent() {
        super(ServiceBinding.class, Names.SERVICE_BINDING);
    }

    @Override
    protected ServiceBinding desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return ServiceKeyProvisioning.serviceBinding(
                primary, InstallationInputs.from(context).resolved());
    }
}
