package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

class WorkloadsTest {

    /**
     * Every variable the operator may set, and the property of the service's {@code @ConfigMapping}
     * it feeds (ProxySettings, TunnelSettings, ClusterSettings, Quarkus). A variable outside this
     * list is one no service reads; the list is the contract docs/operator.md documents.
     */
    static final Set<String> PROXY_CONTRACT = Set.of(
            "CLUSTER_HOST",
            "CLUSTER_PORT",
            "CLUSTER_EVENT_BUS_PORT",
            "CLUSTER_KUBERNETES_SERVICE_DNS",
            "CLUSTER_TLS_CERTIFICATE",
            "CLUSTER_TLS_KEY",
            "CLUSTER_TLS_CA",
            "QUARKUS_HTTP_HOST",
            "QUARKUS_HTTP_PORT",
            "PROXY_HOST",
            "PROXY_TENANT_MODE",
            "PROXY_SUBACCOUNT",
            "PROXY_HTTP_ENABLED",
            "PROXY_HTTP_PORT",
            "PROXY_HTTP_AUTHORIZATION_ENABLED",
            "PROXY_RFC_AND_LDAP_ENABLED",
            "PROXY_RFC_AND_LDAP_PORT",
            "PROXY_RFC_AND_LDAP_AUTHORIZATION_ENABLED",
            "PROXY_SOCKS5_ENABLED",
            "PROXY_SOCKS5_PORT",
            "PROXY_SOCKS5_AUTHORIZATION_ENABLED",
            "PROXY_AUTHORIZATION_ALLOWED_CLIENT_ID",
            "PROXY_AUTHORIZATION_ISSUERS",
            "PROXY_AUTHORIZATION_JWKS_URL",
            "QUARKUS_LOG_CONSOLE_JSON_ENABLED");

    static final Set<String> TUNNEL_CONTRACT = Set.of(
            "CLUSTER_HOST",
            "CLUSTER_PORT",
            "CLUSTER_EVENT_BUS_PORT",
            "CLUSTER_KUBERNETES_SERVICE_DNS",
            "CLUSTER_TLS_CERTIFICATE",
            "CLUSTER_TLS_KEY",
            "CLUSTER_TLS_CA",
            "QUARKUS_HTTP_HOST",
            "QUARKUS_HTTP_PORT",
            "TUNNEL_HOST",
            "TUNNEL_PORT",
            "TUNNEL_TLS_ENABLED",
            "TUNNEL_TRUST_FORWARDED_CLIENT_CERT",
            "TUNNEL_SERVICE_CHANNELS_ENABLED",
            "TUNNEL_SERVICE_CHANNELS_KUBERNETES",
            "TUNNEL_SERVICE_CHANNELS_TENANT_MODE",
            "TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT",
            "TUNNEL_REPLICA_URL",
            // Not a property: the downward API's pod name, which Kubernetes expands in TUNNEL_REPLICA_URL.
            "POD_NAME",
            "QUARKUS_LOG_CONSOLE_JSON_ENABLED");

    @Test
    void proxyServiceListensOnTheSpecPortsAndJoinsTheCluster() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getDeployment().setReplicaCount(3);
        Deployment deployment = proxy(cr);
        assertEquals("connectivity-proxy", deployment.getMetadata().getName());
        assertEquals(3, deployment.getSpec().getReplicas());
        Container container = container(deployment);
        assertEquals("registry.example/proxy-service:1", container.getImage());
        Map<String, String> env = env(container);
        assertEquals(
                "0.0.0.0", env.get("PROXY_HOST"), "the proxy ports are for the whole cluster, whatever the image sets");
        assertEquals("sub-1", env.get("PROXY_SUBACCOUNT"));
        assertEquals("dedicated", env.get("PROXY_TENANT_MODE"));
        assertEquals("20003", env.get("PROXY_HTTP_PORT"));
        assertEquals("20001", env.get("PROXY_RFC_AND_LDAP_PORT"));
        assertEquals("20004", env.get("PROXY_SOCKS5_PORT"));
        assertEquals("8081", env.get("QUARKUS_HTTP_PORT"));
        assertEquals(
                Map.of(
                        "http",
                        20003,
                        "rfc-and-ldap",
                        20001,
                        "socks5",
                        20004,
                        "management",
                        8081,
                        "tcp-hazelcast",
                        5701,
                        "tcp-event-bus",
                        5710),
                ports(container));
        assertEquals("/q/health/live", container.getLivenessProbe().getHttpGet().getPath());
        assertEquals(
                "/q/health/ready", container.getReadinessProbe().getHttpGet().getPath());
        assertEquals(cr.getSpec().getDeployment().getResources(), container.getResources());
        assertTrue(deployment
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getLabels()
                .entrySet()
                .containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet()));
    }

    @Test
    void bothWorkloadsJoinTheClusterOnThePodIpWithFixedPortsAndTheMemberCertificate() {
        ConnectivityProxy cr = Fixtures.cr();
        for (PodTemplateSpec template :
                List.of(proxy(cr).getSpec().getTemplate(), tunnel(cr).getSpec().getTemplate())) {
            String name = container(template).getName();
            Container container = container(template);
            Map<String, String> env = env(container);
            assertEquals(
                    "connectivity-proxy-cluster.kyma-system.svc.cluster.local",
                    env.get("CLUSTER_KUBERNETES_SERVICE_DNS"),
                    name);
            EnvVar host = container.getEnv().stream()
                    .filter(e -> e.getName().equals("CLUSTER_HOST"))
                    .findFirst()
                    .orElseThrow();
            assertNull(host.getValue(), name + ": never a fixed address");
            assertEquals("status.podIP", host.getValueFrom().getFieldRef().getFieldPath(), name);
            assertEquals("5701", env.get("CLUSTER_PORT"), name);
            assertEquals("5710", env.get("CLUSTER_EVENT_BUS_PORT"), name);
            assertEquals("/etc/connectivity-proxy/cluster-tls/tls.crt", env.get("CLUSTER_TLS_CERTIFICATE"), name);
            assertEquals("/etc/connectivity-proxy/cluster-tls/tls.key", env.get("CLUSTER_TLS_KEY"), name);
            assertEquals("/etc/connectivity-proxy/cluster-tls/ca.crt", env.get("CLUSTER_TLS_CA"), name);

            var mount = container.getVolumeMounts().stream()
                    .filter(m -> m.getMountPath().equals(Workloads.CLUSTER_TLS_MOUNT))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(name + " mounts no cluster TLS"));
            assertTrue(mount.getReadOnly(), name);
            PodSpec pod = template.getSpec();
            Volume volume = pod.getVolumes().stream()
                    .filter(v -> v.getName().equals(mount.getName()))
                    .findFirst()
                    .orElseThrow();
            assertEquals(Names.CLUSTER_TLS_SECRET, volume.getSecret().getSecretName(), name);
            assertEquals(
                    List.of("tls.crt=tls.crt", "tls.key=tls.key", "ca.crt=ca.crt"),
                    volume.getSecret().getItems().stream()
                            .map(i -> i.getKey() + "=" + i.getPath())
                            .collect(Collectors.toList()),
                    name);
            assertEquals(
                    Fixtures.CLUSTER_TLS_HASH,
                    template.getMetadata().getAnnotations().get(Names.CLUSTER_TLS_HASH_ANNOTATION),
                    name + ": a new member certificate rolls the pods");
        }
        ConnectivityProxy renewed = Fixtures.cr();
        assertNotEquals(
                proxy(cr).getSpec().getTemplate(),
                Workloads.proxyService(renewed, Fixtures.resolved(renewed), Fixtures.IMAGES, "fedcba9876543210")
                        .getSpec()
                        .getTemplate());
    }

    @Test
    void tunnelServiceTrustsTheGatewayAndMountsNoConnectorCa() {
        ConnectivityProxy cr = Fixtures.cr();
        StatefulSet statefulSet = tunnel(cr);
        assertEquals("connectivity-proxy-tunnel", statefulSet.getMetadata().getName());
        Container container = container(statefulSet.getSpec().getTemplate());
        Map<String, String> env = env(container);
        assertEquals("true", env.get("TUNNEL_TRUST_FORWARDED_CLIENT_CERT"));
        assertEquals("false", env.get("TUNNEL_TLS_ENABLED"));
        assertEquals("0.0.0.0", env.get("TUNNEL_HOST"));
        assertEquals("8042", env.get("TUNNEL_PORT"));
        assertEquals("8082", env.get("QUARKUS_HTTP_PORT"));
        // With TLS off, tunnel-service reads no CA: the gateway checks connector certificates.
        assertTrue(statefulSet.getSpec().getTemplate().getSpec().getVolumes().stream()
                .noneMatch(v -> v.getSecret() != null
                        && Names.CONNECTOR_CA_SECRET.equals(v.getSecret().getSecretName())));
        assertEquals(
                Map.of("http-tunnel", 8042, "management", 8082, "tcp-hazelcast", 5701, "tcp-event-bus", 5710),
                ports(container));
    }

    @Test
    void noVariableOutsideTheServicesContract() {
        for (String mode : List.of("dedicated", "shared")) {
            for (boolean authorization : List.of(false, true)) {
                ConnectivityProxy cr = mode(mode, authorization);
                Set<String> proxy = names(proxy(cr));
                Set<String> tunnel = names(tunnel(cr));
                assertTrue(PROXY_CONTRACT.containsAll(proxy), mode + "/" + authorization + ": " + proxy);
                assertTrue(TUNNEL_CONTRACT.containsAll(tunnel), mode + "/" + authorization + ": " + tunnel);
            }
        }
        // What the operator used to set although no service reads it.
        Set<String> unread = Set.of(
                "CLUSTER_TENANT_MODE",
                "CLUSTER_SUBACCOUNT_ID",
                "PROXY_SUBACCOUNT_SUBDOMAIN",
                "TUNNEL_EXTERNAL_HOST",
                "TUNNEL_EXTERNAL_PORT",
                "TUNNEL_TLS_CLIENT_CA");
        ConnectivityProxy cr = Fixtures.cr();
        assertTrue(
                names(proxy(cr)).stream().noneMatch(unread::contains),
                names(proxy(cr)).toString());
        assertTrue(
                names(tunnel(cr)).stream().noneMatch(unread::contains),
                names(tunnel(cr)).toString());
    }

    /**
     * SAP's four modes. Trusted dedicated: a fixed subaccount and no token settings. Non-trusted
     * dedicated: the same subaccount, tokens required, and the issuer and keys of the service key's
     * XSUAA tenant. Shared (trusted or not): no fixed subaccount; tokens are read, so their settings
     * are passed.
     */
    @ParameterizedTest(name = "{0}, proxy authorization {1}")
    @CsvSource({
        "dedicated, false, sub-1,  false, ",
        "dedicated, true,  sub-1,  true,  my-client",
        "shared,    true,  ,       true,  my-client",
        "shared,    false, ,       true,  my-client"
    })
    void theModeSettingsReachProxyService(
            String mode, boolean authorization, String subaccount, boolean tokenSettings, String clientId) {
        ConnectivityProxy cr = mode(mode, authorization);
        Map<String, String> env = env(container(proxy(cr)));
        assertEquals(mode, env.get("PROXY_TENANT_MODE"));
        assertEquals(subaccount, env.get("PROXY_SUBACCOUNT"), "the subaccount is fixed in dedicated mode only");
        for (String server : List.of("HTTP", "RFC_AND_LDAP", "SOCKS5")) {
            assertEquals(String.valueOf(authorization), env.get("PROXY_" + server + "_AUTHORIZATION_ENABLED"), server);
        }
        if (tokenSettings) {
            assertEquals(clientId, env.get("PROXY_AUTHORIZATION_ALLOWED_CLIENT_ID"));
            assertEquals(Fixtures.UAA_URL + "/oauth/token", env.get("PROXY_AUTHORIZATION_ISSUERS"));
            assertEquals(Fixtures.UAA_URL + "/token_keys", env.get("PROXY_AUTHORIZATION_JWKS_URL"));
        } else {
            assertFalse(
                    env.keySet().stream().anyMatch(k -> k.startsWith("PROXY_AUTHORIZATION_")),
                    "trusted dedicated mode looks at no token: " + env.keySet());
        }
        Map<String, String> tunnel = env(container(tunnel(cr)));
        assertEquals(mode, tunnel.get("TUNNEL_SERVICE_CHANNELS_TENANT_MODE"));
        assertEquals(subaccount, tunnel.get("TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT"));
    }

    @Test
    void issuersNamedInTheResourceWinOverTheServiceKeyAndOnlyOnePortMayRequireTokens() {
        ConnectivityProxy cr = Fixtures.cr();
        var proxy = cr.getSpec().getConfig().getServers().getProxy();
        proxy.getSocks5().setEnableProxyAuthorization(true);
        proxy.getAuthorization().getOauth().setAllowedClientId("sb-client");
        proxy.getAuthorization()
                .getOauth()
                .setIssuers(List.of("https://a.example/oauth/token", "https://b.example/oauth/token"));
        Map<String, String> env = env(container(proxy(cr)));
        assertEquals("true", env.get("PROXY_SOCKS5_AUTHORIZATION_ENABLED"));
        assertEquals("false", env.get("PROXY_HTTP_AUTHORIZATION_ENABLED"));
        assertEquals("false", env.get("PROXY_RFC_AND_LDAP_AUTHORIZATION_ENABLED"));
        assertEquals(
                "https://a.example/oauth/token,https://b.example/oauth/token", env.get("PROXY_AUTHORIZATION_ISSUERS"));
        assertFalse(
                env.containsKey("PROXY_AUTHORIZATION_JWKS_URL"),
                "other tenants' keys are not at the service key's URL");

        proxy.getAuthorization().getOauth().setJwksUrl("https://keys.example/token_keys");
        assertEquals(
                "https://keys.example/token_keys", env(container(proxy(cr))).get("PROXY_AUTHORIZATION_JWKS_URL"));

        // A disabled listener requires no token: in dedicated mode nothing looks at tokens then.
        proxy.getSocks5().setEnabled(false);
        assertFalse(env(container(proxy(cr))).keySet().stream().anyMatch(k -> k.startsWith("PROXY_AUTHORIZATION_")));
    }

    @Test
    void withoutAnIssuerNoEmptyVariableIsPassed() {
        ConnectivityProxy cr = mode("dedicated", true);
        ClusterFacts keyWithoutUrl = new ClusterFacts(
                true,
                true,
                Optional.of("c-1.kyma.example"),
                Optional.of(new ServiceKey(Optional.of("sub-1"), Optional.empty())),
                RestartFingerprint.NONE);
        Map<String, String> env = env(container(Workloads.proxyService(
                cr, ConfigResolver.resolve(cr, keyWithoutUrl), Fixtures.IMAGES, Fixtures.CLUSTER_TLS_HASH)));
        assertFalse(env.containsKey("PROXY_AUTHORIZATION_ISSUERS"));
        assertFalse(env.containsKey("PROXY_AUTHORIZATION_JWKS_URL"));
        assertTrue(env.values().stream().noneMatch(String::isEmpty), "an empty value fails a service's start: " + env);
    }

    @Test
    void tunnelServiceWatchesServiceMappingsUnderItsOwnServiceAccount() {
        ConnectivityProxy cr = Fixtures.cr();
        StatefulSet statefulSet = tunnel(cr);
        Map<String, String> env = env(container(statefulSet));
        assertEquals("true", env.get("TUNNEL_SERVICE_CHANNELS_ENABLED"));
        assertEquals("true", env.get("TUNNEL_SERVICE_CHANNELS_KUBERNETES"));
        assertEquals("dedicated", env.get("TUNNEL_SERVICE_CHANNELS_TENANT_MODE"));
        assertEquals("sub-1", env.get("TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT"));
        assertFalse(
                env.containsKey("TUNNEL_SERVICE_MAPPINGS_FILE"),
                "no mappings file any more: tunnel-service watches them");
        assertEquals(
                Names.TUNNEL_SERVICE_ACCOUNT,
                statefulSet.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertEquals(
                List.of("tmp", "cluster-tls"),
                statefulSet.getSpec().getTemplate().getSpec().getVolumes().stream()
                        .map(v -> v.getName())
                        .collect(Collectors.toList()));

        ConnectivityProxy shared = Fixtures.cr();
        shared.getSpec().getConfig().setTenantMode("shared");
        shared.getSpec().getConfig().getServiceChannels().setEnabled(false);
        Map<String, String> sharedEnv = env(container(tunnel(shared)));
        assertEquals("false", sharedEnv.get("TUNNEL_SERVICE_CHANNELS_ENABLED"));
        assertEquals("shared", sharedEnv.get("TUNNEL_SERVICE_CHANNELS_TENANT_MODE"));
        assertFalse(
                sharedEnv.containsKey("TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT"),
                "each mapping names its subaccount");

        // The proxy never needs the API server.
        assertNull(proxy(cr).getSpec().getTemplate().getSpec().getServiceAccountName());
    }

    @Test
    void theLogFormatReachesBothServicesAsQuarkusJsonLogging() {
        ConnectivityProxy cr = Fixtures.cr();
        assertEquals(
                "false", env(container(proxy(cr))).get("QUARKUS_LOG_CONSOLE_JSON_ENABLED"), "console text by default");
        assertEquals("false", env(container(tunnel(cr))).get("QUARKUS_LOG_CONSOLE_JSON_ENABLED"));
        cr.getSpec().getConfig().getLogging().setFormat("json");
        assertEquals("true", env(container(proxy(cr))).get("QUARKUS_LOG_CONSOLE_JSON_ENABLED"));
        assertEquals("true", env(container(tunnel(cr))).get("QUARKUS_LOG_CONSOLE_JSON_ENABLED"));
    }

    @Test
    void turningServiceChannelsOffRollsTunnelService() {
        ConnectivityProxy off = Fixtures.cr();
        off.getSpec().getConfig().getServiceChannels().setEnabled(false);
        assertNotEquals(hash(Fixtures.cr(), Fixtures.facts()), hash(off, Fixtures.facts()));
    }

    @Test
    void theConfigHashChangesWithTheSpecWithRestartLabelledContentAndWithTheIssuer() {
        ConnectivityProxy cr = Fixtures.cr();
        String base = hash(cr, Fixtures.facts());
        assertEquals(base, hash(Fixtures.cr(), Fixtures.facts()), "same input, same hash: no rollout");

        ConnectivityProxy changed = Fixtures.cr();
        changed.getSpec().getConfig().getServers().getProxy().getSocks5().setPort(21004);
        assertNotEquals(base, hash(changed, Fixtures.facts()));

        ClusterFacts restarted = new ClusterFacts(
                true, true, Optional.of("c-1.kyma.example"), Fixtures.facts().serviceKey(), "0123456789abcdef");
        assertNotEquals(base, hash(cr, restarted));

        ClusterFacts otherTenant = new ClusterFacts(
                true,
                true,
                Optional.of("c-1.kyma.example"),
                Optional.of(new ServiceKey(
                        Optional.of("sub-1"),
                        Optional.of("subdomain-1"),
                        Optional.of("https://other.authentication.example"),
                        Optional.empty())),
                RestartFingerprint.NONE);
        assertNotEquals(base, hash(cr, otherTenant), "a service key of another XSUAA tenant rolls proxy-service");
    }

    private static ConnectivityProxy mode(String tenantMode, boolean authorization) {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getConfig().setTenantMode(tenantMode);
        var proxy = cr.getSpec().getConfig().getServers().getProxy();
        proxy.getHttp().setEnableProxyAuthorization(authorization);
        proxy.getRfcAndLdap().setEnableProxyAuthorization(authorization);
        proxy.getSocks5().setEnableProxyAuthorization(authorization);
        proxy.getAuthorization()
                .getOauth()
                .setAllowedClientId(tenantMode.equals("dedicated") && !authorization ? "" : "my-client");
        return cr;
    }

    private static Deployment proxy(ConnectivityProxy cr) {
        return Workloads.proxyService(cr, Fixtures.resolved(cr), Fixtures.IMAGES, Fixtures.CLUSTER_TLS_HASH);
    }

    private static StatefulSet tunnel(ConnectivityProxy cr) {
        return Workloads.tunnelService(cr, Fixtures.resolved(cr), Fixtures.IMAGES, Fixtures.CLUSTER_TLS_HASH);
    }

    private static String hash(ConnectivityProxy cr, ClusterFacts facts) {
        return Workloads.tunnelService(
                        cr, ConfigResolver.resolve(cr, facts), Fixtures.IMAGES, Fixtures.CLUSTER_TLS_HASH)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getAnnotations()
                .get(Names.CONFIG_HASH_ANNOTATION);
    }

    private static Container container(Deployment deployment) {
        return container(deployment.getSpec().getTemplate());
    }

    private static Container container(StatefulSet statefulSet) {
        return container(statefulSet.getSpec().getTemplate());
    }

    private static Container container(PodTemplateSpec template) {
        return template.getSpec().getContainers().get(0);
    }

    private static Set<String> names(Deployment deployment) {
        return names(deployment.getSpec().getTemplate());
    }

    private static Set<String> names(StatefulSet statefulSet) {
        return names(statefulSet.getSpec().getTemplate());
    }

    private static Set<String> names(PodTemplateSpec template) {
        return container(template).getEnv().stream().map(EnvVar::getName).collect(Collectors.toSet());
    }

    private static Map<String, Integer> ports(Container container) {
        return container.getPorts().stream().collect(Collectors.toMap(p -> p.getName(), p -> p.getContainerPort()));
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv().stream()
                .filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> a, TreeMap::new));
    }
}
