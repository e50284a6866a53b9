package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.ConfigMap;

class InfoConfigMapTest {

    @Test
    void hasExactlySapsKeysFollowingTheSpec() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().getServers().getProxy().getRfcAndLdap().setPort(21001);
        ConfigMap map = InfoConfigMap.desired(cr);
        assertEquals("connectivity-proxy-info", map.getMetadata().getName());
        assertEquals(
                Map.of(
                        "onpremise_proxy_host", "connectivity-proxy.kyma-system.svc.cluster.local",
                        "onpremise_proxy_http_port", "20003",
                        "onpremise_proxy_port", "20003",
                        "onpremise_proxy_rfc_port", "21001",
                        "onpremise_proxy_ldap_port", "21001",
                        "onpremise_socks5_proxy_port", "20004"),
                map.getData());
        assertEquals("uid-1", map.getMetadata().getOwnerReferences().get(0).getUid());
    }

    @Test
    void isTheSameForTheSameSpec() {
        assertEquals(InfoConfigMap.desired(Fixtures.cr()), InfoConfigMap.desired(Fixtures.cr()));
    }
}
