package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.btp.ServiceBinding;
import io.connectivityproxy.operator.model.btp.ServiceInstance;

class ServiceKeyProvisioningTest {

    @Test
    void instanceOfTheConnectivityOfferingWithTheProxyPlan() {
        ServiceInstance instance = ServiceKeyProvisioning.serviceInstance(Fixtures.cr());
        assertEquals("services.cloud.sap.com/v1", instance.getApiVersion());
        assertEquals("ServiceInstance", instance.getKind());
        assertEquals("connectivity", instance.getSpec().serviceOfferingName());
        assertEquals("connectivity_proxy", instance.getSpec().servicePlanName());
        assertEquals("uid-1", instance.getMetadata().getOwnerReferences().get(0).getUid());
    }

    @Test
    void bindingWritesTheServiceKeySecret() {
        ConnectivityProxy cr = Fixtures.cr();
        ServiceBinding binding = ServiceKeyProvisioning.serviceBinding(cr, Fixtures.resolved(cr));
        assertEquals(Names.SERVICE_INSTANCE, binding.getSpec().serviceInstanceName());
        assertEquals(Names.SERVICE_KEY_SECRET, binding.getSpec().secretName());
    }
}
