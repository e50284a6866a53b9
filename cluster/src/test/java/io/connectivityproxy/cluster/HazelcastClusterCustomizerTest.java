package io.connectivityproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;

/** The Hazelcast configuration built from settings: never multicast, TCP-IP locally, DNS in Kubernetes. */
class HazelcastClusterCustomizerTest {

    private static ClusterSettings settings(Optional<String> dns) {
        return settings(dns, Duration.ofSeconds(3));
    }

    private static ClusterSettings settings(Optional<String> dns, Duration failureTimeout) {
        return new ClusterSettings() {
            @Override
            public Duration failureTimeout() {
                return failureTimeout;
            }

            @Override
            public Duration joinWait() {
                return Duration.ofSeconds(1);
            }

            @Override
            public Duration livenessInterval() {
                return Duration.ofMillis(500);
            }

            @Override
            public Duration livenessTimeout() {
                return Duration.ofSeconds(3);
            }

            @Override
            public String host() {
                return "10.1.2.3";
            }

            @Override
            public int port() {
                return 5801;
            }

            @Override
            public List<String> members() {
                return List.of("127.0.0.1:5801", "127.0.0.1:5802");
            }

            @Override
            public Optional<String> kubernetesServiceDns() {
                return dns;
            }

            @Override
            public String name() {
                return "test-cluster";
            }

            @Override
            public int eventBusPort() {
                return 5810;
            }

            @Override
            public Tls tls() {
                throw new UnsupportedOperationException("the Hazelcast configuration does not read TLS settings");
            }
        };
    }

    @Test
    void localDefaultJoinsTheListedMembersOverTcpIp() {
        Config config = HazelcastClusterCustomizer.hazelcastConfig(settings(Optional.empty()));
        JoinConfig join = config.getNetworkConfig().getJoin();
        assertFalse(join.getMulticastConfig().isEnabled());
        assertFalse(join.getAutoDetectionConfig().isEnabled());
        assertTrue(join.getTcpIpConfig().isEnabled());
        assertEquals(
                List.of("127.0.0.1:5801", "127.0.0.1:5802"),
                join.getTcpIpConfig().getMembers());
        assertFalse(join.getKubernetesConfig().isEnabled());
        assertEquals("test-cluster", config.getClusterName());
        assertEquals(5801, config.getNetworkConfig().getPort());
        assertEquals("10.1.2.3", config.getNetworkConfig().getPublicAddress());
        assertTrue(config.getNetworkConfig().getInterfaces().getInterfaces().contains("10.1.2.3"));
        assertEquals("false", config.getProperty("hazelcast.socket.bind.any"), "bound to that address only");
    }

    @Test
    void kubernetesDiscoveryUsesTheHeadlessServiceDns() {
        Config config = HazelcastClusterCustomizer.hazelcastConfig(
                settings(Optional.of("connectivity-proxy-cluster.kyma-system.svc.cluster.local")));
        JoinConfig join = config.getNetworkConfig().getJoin();
        assertFalse(join.getTcpIpConfig().isEnabled());
        assertTrue(join.getKubernetesConfig().isEnabled());
        assertEquals(
                "connectivity-proxy-cluster.kyma-system.svc.cluster.local",
                join.getKubernetesConfig().getProperty("service-dns"));
        assertFalse(join.getMulticastConfig().isEnabled());
    }

    @Test
    void keepsWhatTheVertxEventBusNeeds() {
        Config config = HazelcastClusterCustomizer.hazelcastConfig(settings(Optional.empty()));
        assertNotNull(config.getMultiMapConfigs().get("__vertx.subs"));
        assertEquals(
                "SET",
                config.getMultiMapConfig("__vertx.subs")
                        .getValueCollectionType()
                        .name());
    }

    @Test
    void aSilentMemberIsDeadAfterTheFailureTimeout() {
        Config config = HazelcastClusterCustomizer.hazelcastConfig(settings(Optional.empty(), Duration.ofSeconds(4)));
        assertEquals("1", config.getProperty("hazelcast.heartbeat.interval.seconds"));
        assertEquals("4", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
        IllegalArgumentException tooShort = assertThrows(
                IllegalArgumentException.class,
                () -> HazelcastClusterCustomizer.hazelcastConfig(settings(Optional.empty(), Duration.ofMillis(1500))));
        assertEquals(
                "cluster.failure-timeout: must be at least 2s (members send a heartbeat every second), got PT1.5S",
                tooShort.getMessage());
    }

    @Test
    void joinersAreAdmittedAfterTheJoinWaitNotHazelcastsFiveSeconds() {
        Config config = HazelcastClusterCustomizer.hazelcastConfig(settings(Optional.empty()));
        assertEquals("1", config.getProperty("hazelcast.wait.seconds.before.join"));
    }
}
