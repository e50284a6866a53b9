package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;

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
        List<String> violations = SpecValidator.validate(cr.getSpec());
        for (String field : List.of("spec.config.servers.proxy.http.port:", "spec.config.subaccountId:",
                "spec.config.tenantMode:", "spec.config.servers.businessDataTunnel.externalPort:",
                "spec.deployment.replicaCount:", "spec.ingress.className:")) {
            assertTrue(violations.stream().anyMatch(v -> v.startsWith(field)), field + " in " + violations);
        }
    }

    @Test
    void aProxyWithoutListenersIsRejected() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().getServers().getProxy().getHttp().setEnabled(false);
        cr.getSpec().getConfig().getServers().getProxy().getRfcAndLdap().setEnabled(false);
        cr.getSpec().getConfig().getServers().getProxy().getSocks5().setEnabled(false);
        assertEquals(List.of("spec.config.servers.proxy: at least one of http, rfcAndLdap, socks5 must be enabled"),
                SpecValidator.validate(cr.getSpec()));
    }

    @Test
    void twoListenersOnOnePortAreRejected() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().getServers().getProxy().getSocks5().setPort(20003);
        assertEquals(List.of("spec.config.servers.proxy.socks5.port: 20003 is already used by http"),
                SpecValidator.validate(cr.getSpec()));
    }
}
