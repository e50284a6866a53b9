package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

class ProxyServicesTest {

    @Test
    void proxyServiceHasTheEnabledListenersBySapsNames() {
        ConnectivityProxy cr = Fixtures.cr();
        Service all = ProxyServices.proxy(cr);
        assertEquals(List.of("http:20003", "rfc-and-ldap:20001", "socks5:20004"), ports(all));
        assertEquals(Labels.selector(Labels.PROXY_SERVICE), all.getSpec().getSelector());

        cr.getSpec().getConfig().getServers().getProxy().getSocks5().setEnabled(false);
        Service withoutSocks = ProxyServices.proxy(cr);
        assertEquals(List.of("http:20003", "rfc-and-ldap:20001"), ports(withoutSocks));
        // A removed port changes the content digest, so the update replaces the port list.
        assertNotEquals(
                all.getMetadata().getAnnotations().get(Names.CONTENT_HASH_ANNOTATION),
                withoutSocks.getMetadata().getAnnotations().get(Names.CONTENT_HASH_ANNOTATION));
    }

    @Test
    void tunnelServiceExposes8042() {
        assertEquals(List.of("http-tunnel:8042"), ports(ProxyServices.tunnel(Fixtures.cr())));
    }

    @Test
    void clusterServiceIsHeadlessOverBothWorkloadsAndPublishesNotReadyPods() {
        Service cluster = ProxyServices.cluster(Fixtures.cr());
        assertEquals("None", cluster.getSpec().getClusterIP());
        assertTrue(cluster.getSpec().getPublishNotReadyAddresses());
        assertEquals(List.of("tcp-hazelcast:5701"), ports(cluster));
        // Both workloads' pods carry the selected label.
        assertTrue(Labels.of("x", Labels.PROXY_SERVICE)
                .entrySet()
                .containsAll(cluster.getSpec().getSelector().entrySet()));
        assertTrue(Labels.of("x", Labels.TUNNEL_SERVICE)
                .entrySet()
                .containsAll(cluster.getSpec().getSelector().entrySet()));
    }

    private static List<String> ports(Service service) {
        return service.getSpec().getPorts().stream()
                .map((ServicePort p) -> p.getName() + ":" + p.getPort())
                .collect(Collectors.toList());
    }
}
