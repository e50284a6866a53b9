package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;

class ConfigResolverTest {

    @Test
    void autoProvisionedValuesComeFromShootInfoAndTheServiceKey() {
        ResolvedConfig resolved = ConfigResolver.resolve(Fixtures.cr(), Fixtures.facts());
        assertEquals(Optional.of("cp.c-1.kyma.example"), resolved.externalHost());
        assertEquals(Optional.of("sub-1"), resolved.subaccountId());
        assertEquals(Optional.of("subdomain-1"), resolved.subaccountSubdomain());
        assertTrue(resolved.provisionServiceKey());
        assertTrue(resolved.generateGatewayTls());
        assertTrue(resolved.missing().isEmpty());
    }

    @Test
    void givenValuesWinOverTheCluster() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().setSubaccountId("explicit");
        cr.getSpec().getConfig().getServers().getBusinessDataTunnel().setExternalHost("tunnel.example.org");
        cr.getSpec().getSecretConfig().getIntegration().getConnectivityService().setSecretName("my-key");
        ResolvedConfig resolved = ConfigResolver.resolve(cr, Fixtures.facts());
        assertEquals(Optional.of("explicit"), resolved.subaccountId());
        assertEquals(Optional.of("tunnel.example.org"), resolved.externalHost());
        assertEquals("my-key", resolved.serviceKeySecretName());
        assertFalse(resolved.provisionServiceKey());
    }

    @Test
    void whatIsMissingIsNamed() {
        ClusterFacts nothing = new ClusterFacts(true, true, Optional.empty(), Optional.empty(), RestartFingerprint.NONE);
        ResolvedConfig resolved = ConfigResolver.resolve(Fixtures.cr(), nothing);
        assertFalse(resolved.workloadsRenderable());
        assertTrue(resolved.missing().stream().anyMatch(m -> m.contains("kube-system/shoot-info")), resolved.missing().toString());
        assertTrue(resolved.missing().stream().anyMatch(m -> m.contains("kyma-system/connectivity-proxy-service-key")),
                resolved.missing().toString());
    }

    @Test
    void serviceKeyFallsBackToXsuaaStyleKeys() {
        ServiceKey key = ServiceKey.fromSecretData(Map.of("tenantid", "t-1", "identityzone", "zone-1"));
        assertEquals(Optional.of("t-1"), key.subaccountId());
        assertEquals(Optional.of("zone-1"), key.subaccountSubdomain());
    }
}
