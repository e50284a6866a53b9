package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;

class SingleInstallationTest {

    @Test
    void theOldestIsTheInstallationAndEveryOtherGivesWay() {
        ConnectivityProxy first = cp("kyma-system", "connectivity-proxy", "2026-01-01T00:00:00Z");
        ConnectivityProxy second = cp("other", "proxy", "2026-01-02T00:00:00Z");
        ConnectivityProxy third = cp("aaa", "proxy", "2026-01-03T00:00:00Z");
        List<ConnectivityProxy> all = List.of(third, second, first);
        assertEquals(Optional.empty(), SingleInstallation.otherActive(first, all));
        assertEquals(Optional.of("kyma-system/connectivity-proxy"), SingleInstallation.otherActive(second, all));
        assertEquals(Optional.of("kyma-system/connectivity-proxy"), SingleInstallation.otherActive(third, all));
    }

    @Test
    void tiesAreBrokenByNamespaceAndName() {
        ConnectivityProxy a = cp("a", "proxy", "2026-01-01T00:00:00Z");
        ConnectivityProxy b = cp("b", "proxy", "2026-01-01T00:00:00Z");
        assertEquals(Optional.empty(), SingleInstallation.otherActive(a, List.of(a, b)));
        assertEquals(Optional.of("a/proxy"), SingleInstallation.otherActive(b, List.of(a, b)));
    }

    private static ConnectivityProxy cp(String namespace, String name, String created) {
        ConnectivityProxy cp = Fixtures.cr();
        cp.getMetadata().setNamespace(namespace);
        cp.getMetadata().setName(name);
        cp.getMetadata().setCreationTimestamp(created);
        return cp;
    }
}
