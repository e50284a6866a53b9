package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;

class WorkloadsTest {

    @Test
    void proxyServiceListensOnTheSpecPortsAndJoinsTheCluster() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getDeployment().setReplicaCount(3);
        Deployment deployment = Workloads.proxyService(cr, Fixtures.resolved(cr), Fixtures.IMAGES);
        assertEquals("connectivity-proxy", deployment.getMetadata().getName());
        assertEquals(3, deployment.getSpec().getReplicas());
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("registry.example/proxy-service:1", container.getImage());
        Map<String, String> env = env(container);
        assertEquals("connectivity-proxy-cluster.kyma-system.svc.cluster.local", env.get("CLUSTER_KUBERNETES_SERVICE_DNS"));
        assertEquals("sub-1", env.get("CLUSTER_SUBACCOUNT_ID"));
        assertEquals("sub-1", env.get("PROXY_SUBACCOUNT"));
        assertEquals("dedicated", env.get("CLUSTER_TENANT_MODE"));
        assertEquals("20003", env.get("PROXY_HTTP_PORT"));
        assertEquals("20001", env.get("PROXY_RFC_AND_LDAP_PORT"));
        assertEquals("20004", env.get("PROXY_SOCKS5_PORT"));
        assertEquals("status.podIP", container.getEnv().stream().filter(e -> e.getName().equals("CLUSTER_HOST")).findFirst()
                .orElseThrow().getValueFrom().getFieldRef().getFieldPath());
        assertEquals(Map.of("http", 20003, "rfc-and-ldap", 20001, "socks5", 20004, "management", 8081, "tcp-hazelcast", 5701),
                container.getPorts().stream().collect(Collectors.toMap(p -> p.getName(), p -> p.getContainerPort())));
        assertEquals("/q/health/live", container.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/q/health/ready", container.getReadinessProbe().getHttpGet().getPath());
        assertEquals(cr.getSpec().getDeployment().getResources(), container.getResources());
        assertTrue(deployment.getSpec().getTemplate().getMetadata().getLabels().entrySet()
                .containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet()));
    }

    @Test
    void tunnelServiceTrustsTheGatewayAndMountsOnlyTheConnectorCaCertificate() {
        ConnectivityProxy cr = Fixtures.cr();
        Deployment deployment = Workloads.tunnelService(cr, Fixtures.resolved(cr), Fixtures.IMAGES);
        assertEquals("connectivity-proxy-tunnel", deployment.getMetadata().getName());
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        Map<String, String> env = env(container);
        assertEquals("true", env.get("TUNNEL_TRUST_FORWARDED_CLIENT_CERT"));
        assertEquals("false", env.get("TUNNEL_TLS_ENABLED"));
        assertEquals("8042", env.get("TUNNEL_PORT"));
        assertEquals("cp.c-1.kyma.example", env.get("TUNNEL_EXTERNAL_HOST"));
        assertEquals(Workloads.CONNECTOR_CA_MOUNT + "/ca.crt", env.get("TUNNEL_TLS_CLIENT_CA"));
        var volume = deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getSecret() != null).findFirst().orElseThrow();
        assertEquals(Names.CONNECTOR_CA_SECRET, volume.getSecret().getSecretName());
        assertEquals("ca.crt", volume.getSecret().getItems().get(0).getKey());
        assertEquals(1, volume.getSecret().getItems().size(), "the CA key never reaches tunnel-service");
        assertEquals(Map.of("http-tunnel", 8042, "management", 8082, "tcp-hazelcast", 5701),
                container.getPorts().stream().collect(Collectors.toMap(p -> p.getName(), p -> p.getContainerPort())));
    }

    @Test
    void tunnelServiceWatchesServiceMappingsUnderItsOwnServiceAccount() {
        ConnectivityProxy cr = Fixtures.cr();
        Deployment deployment = Workloads.tunnelService(cr, Fixtures.resolved(cr), Fixtures.IMAGES);
        Map<String, String> env = env(deployment.getSpec().getTemplate().getSpec().getContainers().get(0));
        assertEquals("true", env.get("TUNNEL_SERVICE_CHANNELS_ENABLED"));
        assertEquals("true", env.get("TUNNEL_SERVICE_CHANNELS_KUBERNETES"));
        assertEquals("dedicated", env.get("TUNNEL_SERVICE_CHANNELS_TENANT_MODE"));
        assertEquals("sub-1", env.get("TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT"));
        assertFalse(env.containsKey("TUNNEL_SERVICE_MAPPINGS_FILE"), "no mappings file any more: tunnel-service watches them");
        assertEquals(Names.TUNNEL_SERVICE_ACCOUNT, deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertEquals(List.of("tmp", "connector-ca"), deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .map(v -> v.getName()).collect(Collectors.toList()));

        ConnectivityProxy shared = Fixtures.cr();
        shared.getSpec().getConfig().setTenantMode("shared");
        shared.getSpec().getConfig().getServiceChannels().setEnabled(false);
        Deployment sharedDeployment = Workloads.tunnelService(shared, Fixtures.resolved(shared), Fixtures.IMAGES);
        Map<String, String> sharedEnv = env(sharedDeployment.getSpec().getTemplate().getSpec().getContainers().get(0));
        assertEquals("false", sharedEnv.get("TUNNEL_SERVICE_CHANNELS_ENABLED"));
        assertEquals("shared", sharedEnv.get("TUNNEL_SERVICE_CHANNELS_TENANT_MODE"));
        assertFalse(sharedEnv.containsKey("TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT"), "each mapping names its subaccount");

        // The proxy never needs the API server.
        assertEquals(null, Workloads.proxyService(cr, Fixtures.resolved(cr), Fixtures.IMAGES).getSpec().getTemplate().getSpec()
                .getServiceAccountName());
    }

    @Test
    void turningServiceChannelsOffRollsTunnelService() {
        ConnectivityProxy off = Fixtures.cr();
        off.getSpec().getConfig().getServiceChannels().setEnabled(false);
        assertNotEquals(hash(Fixtures.cr(), Fixtures.facts()), hash(off, Fixtures.facts()));
    }

    @Test
    void theConfigHashChangesWithTheSpecAndWithRestartLabelledContent() {
        ConnectivityProxy cr = Fixtures.cr();
        String base = hash(cr, Fixtures.facts());
        assertEquals(base, hash(Fixtures.cr(), Fixtures.facts()), "same input, same hash: no rollout");

        ConnectivityProxy changed = Fixtures.cr();
        changed.getSpec().getConfig().getServers().getProxy().getSocks5().setPort(21004);
        assertNotEquals(base, hash(changed, Fixtures.facts()));

        ClusterFacts restarted = new ClusterFacts(true, true, Optional.of("c-1.kyma.example"), Fixtures.facts().serviceKey(),
                "0123456789abcdef");
        assertNotEquals(base, hash(cr, restarted));
    }

    private static String hash(ConnectivityProxy cr, ClusterFacts facts) {
        return Workloads.tunnelService(cr, ConfigResolver.resolve(cr, facts), Fixtures.IMAGES).getSpec().getTemplate()
                .getMetadata().getAnnotations().get(Names.CONFIG_HASH_ANNOTATION);
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }
}
