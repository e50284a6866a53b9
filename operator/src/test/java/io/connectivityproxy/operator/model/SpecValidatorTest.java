package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.Autoscaling;
import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ProxyServer;

class SpecValidatorTest {

    @Test
    void theDefaultSpecIsValid() {
        assertEquals(List.of(), SpecValidator.validate(Fixtures.cr().getSpec()));
    }

    @Test
    void eachViolationNamesItsField() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().getServers().getProxy().getHttp().setPort(0);
        cr.getSpec().getConfig().setSubaccountId("has spaces");
        cr.getSpec().getConfig().setTenantMode("multi");
        cr.getSpec().getConfig().getServers().getBusinessDataTunnel().setExternalPort(70000);
        cr.getSpec().getDeployment().setReplicaCount(0);
        cr.getSpec().getIngress().setClassName("nginx");
        cr.getSpec().getConfig().getLogging().setFormat("xml");
        List<String> violations = SpecValidator.validate(cr.getSpec());
        assertTrue(
                violations.contains("spec.config.logging.format: must be one of console, json, was 'xml'"),
                violations.toString());
        for (String field : List.of(
                "spec.config.servers.proxy.http.port:",
                "spec.config.subaccountId:",
                "spec.config.tenantMode:",
                "spec.config.servers.businessDataTunnel.externalPort:",
                "spec.deployment.replicaCount:",
                "spec.ingress.className:")) {
            assertTrue(violations.stream().anyMatch(v -> v.startsWith(field)), field + " in " + violations);
        }
    }

    @Test
    void autoscalingBoundsAreCheckedNamingTheField() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getDeployment().setReplicaCount(3);
        Autoscaling.Horizontal horizontal =
                cr.getSpec().getDeployment().getAutoscaling().getHorizontal();
        horizontal.setEnabled(true);
        horizontal.setMaxReplicaCount(2);
        horizontal.getMetrics().setCpuAverageUtilization(0);
        horizontal.getMetrics().setMemoryAverageUtilization(101);
        assertEquals(
                List.of(
                        "spec.deployment.autoscaling.horizontal.maxReplicaCount: must be at least spec.deployment.replicaCount (3), was 2",
                        "spec.deployment.autoscaling.horizontal.metrics.cpuAverageUtilization: must be between 1 and 100 (percent), was 0",
                        "spec.deployment.autoscaling.horizontal.metrics.memoryAverageUtilization: must be between 1 and 100 (percent), was 101"),
                SpecValidator.validate(cr.getSpec()));

        // A disabled autoscaler's maximum is not compared with replicaCount: turning it off must not fail the resource.
        horizontal.setEnabled(false);
        horizontal.getMetrics().setCpuAverageUtilization(50);
        horizontal.getMetrics().setMemoryAverageUtilization(null);
        assertEquals(List.of(), SpecValidator.validate(cr.getSpec()));

        horizontal.setMaxReplicaCount(101);
        cr.getSpec().getDeployment().setReplicaCount(200);
        assertEquals(
                List.of(
                        "spec.deployment.replicaCount: must be at most 100, was 200",
                        "spec.deployment.autoscaling.horizontal.maxReplicaCount: must be between 1 and 100, was 101"),
                SpecValidator.validate(cr.getSpec()));

        cr.getSpec().getDeployment().setReplicaCount(3);
        cr.getSpec().getDeployment().getAutoscaling().setHorizontal(null);
        assertEquals(
                List.of("spec.deployment.autoscaling.horizontal: must be set"), SpecValidator.validate(cr.getSpec()));
    }

    @Test
    void aProxyWithoutListenersIsRejected() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().getServers().getProxy().getHttp().setEnabled(false);
        cr.getSpec().getConfig().getServers().getProxy().getRfcAndLdap().setEnabled(false);
        cr.getSpec().getConfig().getServers().getProxy().getSocks5().setEnabled(false);
        assertEquals(
                List.of("spec.config.servers.proxy: at least one of http, rfcAndLdap, socks5 must be enabled"),
                SpecValidator.validate(cr.getSpec()));
    }

    @Test
    void twoListenersOnOnePortAreRejected() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().getServers().getProxy().getSocks5().setPort(20003);
        assertEquals(
                List.of("spec.config.servers.proxy.socks5.port: 20003 is already used by http"),
                SpecValidator.validate(cr.getSpec()));
    }

    @Test
    void anyListenerWithProxyAuthorizationNeedsTheAllowedClientIdWithSapsMessage() {
        for (String listener : List.of("http", "rfcAndLdap", "socks5")) {
            ConnectivityProxy cr = Fixtures.cr();
            var proxy = cr.getSpec().getConfig().getServers().getProxy();
            ProxyServer server =
                    switch (listener) {
                        case "http" -> proxy.getHttp();
                        case "rfcAndLdap" -> proxy.getRfcAndLdap();
                        default -> proxy.getSocks5();
                    };
            server.setEnableProxyAuthorization(true);
            assertEquals(
                    List.of("spec.config.servers.proxy.authorization.oauth.allowedClientId: "
                            + "Allowed client id is required if proxy authorization is enabled"),
                    SpecValidator.validate(cr.getSpec()),
                    listener);

            proxy.getAuthorization().getOauth().setAllowedClientId("  ");
            assertEquals(1, SpecValidator.validate(cr.getSpec()).size(), "blank is no client id");
            proxy.getAuthorization().getOauth().setAllowedClientId("sb-client!t1");
            assertEquals(List.of(), SpecValidator.validate(cr.getSpec()), listener);
        }
    }

    @Test
    void withoutProxyAuthorizationNoClientIdIsNeeded() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().setTenantMode("shared");
        assertEquals(List.of(), SpecValidator.validate(cr.getSpec()));
    }

    @Test
    void aMissingAuthorizationBlockIsNamedAsSapNamesIt() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().getServers().getProxy().getSocks5().setEnableProxyAuthorization(true);
        cr.getSpec().getConfig().getServers().getProxy().getAuthorization().setOauth(null);
        assertEquals(
                List.of(
                        "spec.config.servers.proxy.authorization.oauth: Oauth is required if proxy authorization is enabled"),
                SpecValidator.validate(cr.getSpec()));
        cr.getSpec().getConfig().getServers().getProxy().setAuthorization(null);
        assertEquals(
                List.of(
                        "spec.config.servers.proxy.authorization: Authorization is required if proxy authorization is enabled"),
                SpecValidator.validate(cr.getSpec()));
        cr.getSpec().getConfig().getServers().getProxy().getSocks5().setEnableProxyAuthorization(false);
        assertEquals(List.of(), SpecValidator.validate(cr.getSpec()), "not needed while no port requires tokens");
    }

    @Test
    void dedicatedModeNeedsASubaccountIdWithSapsMessageUnlessAutoProvisioned() {
        ConnectivityProxy cr = Fixtures.cr();
        assertEquals("auto-provision", cr.getSpec().getConfig().getSubaccountId());
        assertEquals(List.of(), SpecValidator.validate(cr.getSpec()), "auto-provision: read from the service key");

        for (String absent : new String[] {null, "", " "}) {
            cr.getSpec().getConfig().setSubaccountId(absent);
            assertEquals(
                    List.of("spec.config.subaccountId: SubaccountId is required if tenant mode is dedicated"),
                    SpecValidator.validate(cr.getSpec()),
                    "'" + absent + "'");
        }
        cr.getSpec().getConfig().setTenantMode("shared");
        assertEquals(
                List.of(), SpecValidator.validate(cr.getSpec()), "shared mode: the subaccount comes from each token");
        cr.getSpec().getConfig().setSubaccountId("not valid!");
        assertTrue(SpecValidator.validate(cr.getSpec()).get(0).startsWith("spec.config.subaccountId: must match"));
    }

    @Test
    void issuerSettingsMustBeHttpsUrls() {
        ConnectivityProxy cr = Fixtures.cr();
        var oauth = cr.getSpec()
                .getConfig()
                .getServers()
                .getProxy()
                .getAuthorization()
                .getOauth();
        oauth.setIssuers(List.of(
                "https://a.authentication.eu10.hana.ondemand.com/oauth/token",
                "http://plain.example/oauth/token",
                "not a url"));
        oauth.setJwksUrl("https://user:pw@keys.example/token_keys");
        assertEquals(
                List.of(
                        "spec.config.servers.proxy.authorization.oauth.issuers[1]: must be an https URL without query, fragment or user "
                                + "info, was 'http://plain.example/oauth/token'",
                        "spec.config.servers.proxy.authorization.oauth.issuers[2]: must be an https URL without query, fragment or user "
                                + "info, was 'not a url'",
                        "spec.config.servers.proxy.authorization.oauth.jwksUrl: must be an https URL without query, fragment or user "
                                + "info, was 'https://user:pw@keys.example/token_keys'"),
                SpecValidator.validate(cr.getSpec()));
        oauth.setIssuers(List.of("https://a.example/oauth/token"));
        oauth.setJwksUrl("https://a.example/token_keys");
        assertEquals(List.of(), SpecValidator.validate(cr.getSpec()));
    }
}
