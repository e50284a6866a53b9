package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.connectivityproxy.operator.api.ServiceMappingSpec;
import io.connectivityproxy.operator.api.ServiceMappingStatus;

class ServiceMappingsTest {

    @Test
    void sharedTenantModeNeedsTheSubaccount() {
        ConnectivityProxy shared = Fixtures.cr();
        shared.getSpec().getConfig().setTenantMode("shared");
        ServiceMappingSpec spec = mapping("m", "sap-erp:3300").getSpec();
        assertEquals(List.of("spec.subaccountId: required in shared tenant mode"), ServiceMappings.problems(spec, Optional.of(shared)));
        spec.setSubaccountId("sub-1");
        assertEquals(List.of(), ServiceMappings.problems(spec, Optional.of(shared)));
        assertEquals(List.of(), ServiceMappings.problems(mapping("m", "sap-erp:3300").getSpec(), Optional.of(Fixtures.cr())));
    }

    @Test
    void nothingIsAcceptedWithoutAnInstallationOrWithChannelsOff() {
        assertEquals(List.of("no ConnectivityProxy is installed"),
                ServiceMappings.problems(mapping("m", "a:1").getSpec(), Optional.empty()));
        ConnectivityProxy off = Fixtures.cr();
        off.getSpec().getConfig().getServiceChannels().setEnabled(false);
        assertTrue(ServiceMappings.problems(mapping("m", "a:1").getSpec(), Optional.of(off)).get(0).contains("disabled"));
        assertEquals("[ ]", ServiceMappings.configMap(off, List.of(mapping("m", "a:1"))).getData().get(ServiceMappings.FILE));
    }

    @Test
    void acceptedMappingsGetTheirEndpointAndReachTheConfigMapRejectedOnesDoNot() {
        ServiceMapping good = mapping("good", "erp.apps.svc.cluster.local:3300");
        ServiceMapping bad = mapping("bad", "erp.apps.svc.cluster.local");
        ServiceMappingStatus status = ServiceMappings.status(good, List.of(), Instant.EPOCH);
        assertEquals("erp.apps.svc.cluster.local:3300", status.getEndpoint());
        assertEquals("True", status.getConditions().get(0).getStatus());
        String file = ServiceMappings.configMap(Fixtures.cr(), List.of(bad, good)).getData().get(ServiceMappings.FILE);
        assertTrue(file.contains("\"serviceId\" : \"good\""), file);
        assertFalse(file.contains("\"bad\""), file);
    }

    private static ServiceMapping mapping(String name, String address) {
        ServiceMapping mapping = new ServiceMapping();
        mapping.getMetadata().setName(name);
        ServiceMappingSpec spec = new ServiceMappingSpec();
        spec.setType("TCP");
        spec.setServiceId(name);
        spec.setInternalAddress(address);
        mapping.setSpec(spec);
        return mapping;
    }
}
