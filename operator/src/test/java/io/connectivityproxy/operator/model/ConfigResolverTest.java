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
        ClusterFacts nothing =
                new ClusterFacts(true, true, Optional.empty(), Optional.empty(), RestartFingerprint.NONE);
        ResolvedConfig resolved = ConfigResolver.resolve(Fixtures.cr(), nothing);
        assertFalse(resolved.workloadsRenderable());
        assertTrue(
                resolved.missing().stream().anyMatch(m -> m.contains("kube-system/shoot-info")),
                resolved.missing().toString());
        assertTrue(
                resolved.missing().stream().anyMatch(m -> m.contains("kyma-system/connectivity-proxy-service-key")),
                resolved.missing().toString());
    }

    @Test
    void serviceKeyFallsBackToXsuaaStyleKeys() {
        ServiceKey key = ServiceKey.fromSecretData(Map.of("tenantid", "t-1", "identityzone", "zone-1"));
        assertEquals(Optional.of("t-1"), key.subaccountId());
        assertEquals(Optional.of("zone-1"), key.subaccountSubdomain());
    }

    @Test
    void theTokenIssuerIsTheServiceKeysXsuaaTenant() {
        ServiceKey key = ServiceKey.fromSecretData(Map.of(
                "subaccount_id",
                "sub-1",
                "url",
                "https://my-sub.authentication.eu10.hana.ondemand.com/",
                "uaadomain",
                "authentication.eu10.hana.ondemand.com"));
        assertEquals(
                Optional.of("https://my-sub.authentication.eu10.hana.ondemand.com/oauth/token"), key.tokenIssuer());
        assertEquals(Optional.of("https://my-sub.authentication.eu10.hana.ondemand.com/token_keys"), key.jwksUrl());

        ServiceKey withoutUrl =
                ServiceKey.fromSecretData(Map.of("identityzone", "zone-1", "uaadomain", "authentication.example"));
        assertEquals(Optional.of("https://zone-1.authentication.example/oauth/token"), withoutUrl.tokenIssuer());

        assertEquals(
                Optional.empty(),
                ServiceKey.fromSecretData(Map.of("url", "http://plain.example")).tokenIssuer(),
                "keys are never fetched over plain http");
        assertEquals(
                Optional.empty(),
                ServiceKey.fromSecretData(Map.of("subaccount_id", "sub-1")).tokenIssuer());
    }

    @Test
    void issuersOfTheResourceWinAndAnEmptySubaccountIsNone() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().setTenantMode("shared");
        cr.getSpec().getConfig().setSubaccountId("");
        ResolvedConfig fromKey = ConfigResolver.resolve(cr, Fixtures.facts());
        assertEquals(Optional.empty(), fromKey.subaccountId(), "an empty subaccount is none, not \"\"");
        assertTrue(fromKey.workloadsRenderable());
        assertEquals(
                ProxyAuthorization.IssuerSource.SERVICE_KEY,
                fromKey.authorization().source());
        assertEquals(
                java.util.List.of(Fixtures.UAA_URL + "/oauth/token"),
                fromKey.authorization().issuers());

        cr.getSpec()
                .getConfig()
                .getServers()
                .getProxy()
                .getAuthorization()
                .getOauth()
                .setIssuers(java.util.List.of(
                        "https://tenant-a.example/oauth/token", " ", "https://tenant-a.example/oauth/token"));
        ResolvedConfig fromSpec = ConfigResolver.resolve(cr, Fixtures.facts());
        assertEquals(
                ProxyAuthorization.IssuerSource.SPEC, fromSpec.authorization().source());
        assertEquals(
                java.util.List.of("https://tenant-a.example/oauth/token"),
                fromSpec.authorization().issuers());
        assertEquals(Optional.empty(), fromSpec.authorization().jwksUrl());
    }
}
