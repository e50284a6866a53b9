package io.connectivityproxy.operator.model;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.btp.ServiceBinding;
import io.connectivityproxy.operator.model.btp.ServiceInstance;

/**
 * btp-operator ServiceInstance (offering {@code connectivity}, plan {@code connectivity_proxy}) and
 * the ServiceBinding that writes the service key Secret. Created once and never modified.
 */
public final class ServiceKeyProvisioning {

    public static final String OFFERING = "connectivity";
    public static final String PLAN = "connectivity_proxy";

    private ServiceKeyProvisioning() {}

    public static ServiceInstance serviceInstance(ConnectivityProxy cr) {
        ServiceInstance instance = new ServiceInstance();
        instance.setMetadata(ObjectMetas.owned(cr, Names.SERVICE_INSTANCE, "service-key"));
        instance.setSpec(new ServiceInstance.Spec(OFFERING, PLAN, Names.SERVICE_INSTANCE));
        return instance;
    }

    public static ServiceBinding serviceBinding(ConnectivityProxy cr, ResolvedConfig resolved) {
        ServiceBinding binding = new ServiceBinding();
        binding.setMetadata(ObjectMetas.owned(cr, Names.SERVICE_BINDING, "service-key"));
        binding.setSpec(new ServiceBinding.Spec(
                Names.SERVICE_INSTANCE, resolved.serviceKeySecretName(), Names.SERVICE_BINDING));
        return binding;
    }
}
