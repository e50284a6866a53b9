package io.connectivityproxy.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A proxy-service node given window or chunk settings its streams cannot work with, or no
 * certificate for the cluster event bus, refuses to start and says why.
 */
class ProxyConfigIT {

    @Test
    void windowSettingsAreCheckedAtStartup() throws Exception {
        try (LocalSystem system = new LocalSystem("proxy-config")) {
            Map<String, String> expected = Map.of(
                    "proxy.max-window=1000", "proxy.max-window (1000) must not be below proxy.window (262144)",
                    "proxy.chunk-size=100", "proxy.chunk-size must be between 512 and 262144 bytes, not 100",
                    "proxy.window-budget=-1", "proxy.window-budget must not be negative, not -1");
            for (Map.Entry<String, String> bad : expected.entrySet()) {
                String[] setting = bad.getKey().split("=");
                ManagedProcess proxy =
                        system.proxyProcess(setting[0].replace('.', '-'), Map.of(setting[0], setting[1]));
                assertNotEquals(0, proxy.waitForExit(Duration.ofSeconds(90)), proxy.tail());
                assertTrue(proxy.logText().contains(bad.getValue()), proxy.tail());
            }
        }
    }

    @Test
    void withoutClusterCertificatesTheNodeRefusesToStart() throws Exception {
        try (LocalSystem system = new LocalSystem("proxy-config-tls")) {
            // An empty value overrides the packaged development directory, as an operator would.
            ManagedProcess proxy =
                    system.proxyProcess("no-cluster-tls", Map.of("cluster.tls.dev-certificates-dir", ""));
            assertNotEquals(0, proxy.waitForExit(Duration.ofSeconds(90)), proxy.tail());
            assertTrue(
                    proxy.logText()
                            .contains("the cluster event bus carries every stream and needs mutual TLS: set "
                                    + "cluster.tls.certificate, cluster.tls.key and cluster.tls.ca"),
                    proxy.tail());
        }
    }
}
