package io.connectivityproxy.operator.reconciler;

import static io.connectivityproxy.operator.reconciler.Cluster.TIMEOUT;
import static io.connectivityproxy.operator.reconciler.Cluster.condition;
import static io.connectivityproxy.operator.reconciler.Cluster.hashOf;
import static io.connectivityproxy.operator.reconciler.ConnectivityProxyReconcilerTest.env;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxyStatus;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.connectivityproxy.operator.api.ServiceMappingSpec;
import io.connectivityproxy.operator.api.State;
import io.connectivityproxy.operator.model.ConditionTypes;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * Service channels end to end against the mock API server: the ServiceMapping reconciler's
 * verdicts and endpoints, the installation's Warning while channels are off, and what
 * tunnel-service gets to watch the mappings itself (its RBAC and environment).
 */
@WithKubernetesTestServer(crud = true)
@QuarkusTest
class ServiceMappingReconcilerTest {

    static final String NS = "kyma-system";
    static final String NAME = "connectivity-proxy";
    static final String ENDPOINT_HOST = "cp.c-1234.kyma.example.com";

    @Inject
    KubernetesClient client;

    Cluster cluster;

    @BeforeEach
    void modules() {
        cluster = new Cluster(client);
        cluster.installIstio();
        cluster.installBtpOperator();
        cluster.shootInfo("c-1234.kyma.example.com");
    }

    @AfterEach
    void removeInstallations() {
        client.resources(ServiceMapping.class).delete();
        await().atMost(TIMEOUT)
                .until(() ->
                        client.resources(ServiceMapping.class).list().getItems().isEmpty());
        cluster.allCps().forEach(cp -> client.resource(cp).delete());
        await().atMost(TIMEOUT).until(() -> cluster.allCps().isEmpty());
        client.secrets().inAnyNamespace().list().getItems().forEach(s -> client.resource(s)
                .delete());
        client.configMaps().inAnyNamespace().list().getItems().forEach(c -> client.resource(c)
                .delete());
    }

    @Test
    void anAcceptedMappingGetsTheTunnelEndpointAndTunnelServiceMayWatchMappingsAndNothingElse() {
        cluster.installReady(TestResources.defaultCr(NS, NAME));
        create(mapping("erp-events", "TCP", "erp-events", "events.erp.svc.cluster.local:9092"));

        ServiceMapping accepted = awaitMapping("erp-events", m -> m.getStatus().getEndpoint() != null);
        assertEquals(
                "tcp://" + ENDPOINT_HOST + ":443/erp-events",
                accepted.getStatus().getEndpoint());
        Condition condition = accepted.getStatus().getConditions().get(0);
        assertEquals("Accepted", condition.getType());
        assertEquals("True", condition.getStatus());
        assertEquals("Served", condition.getReason());

        ClusterRole role =
                client.rbac().clusterRoles().withName(Names.TUNNEL_CLUSTER_ROLE).get();
        assertNotNull(role, "ClusterRole " + Names.TUNNEL_CLUSTER_ROLE);
        assertEquals(1, role.getRules().size());
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of("connectivityproxy.sap.com"), rule.getApiGroups());
        assertEquals(List.of("servicemappings"), rule.getResources());
        assertEquals(List.of("get", "list", "watch"), rule.getVerbs());
        ClusterRoleBinding binding = client.rbac()
                .clusterRoleBindings()
                .withName(Names.TUNNEL_CLUSTER_ROLE)
                .get();
        assertEquals("ClusterRole", binding.getRoleRef().getKind());
        assertEquals(Names.TUNNEL_CLUSTER_ROLE, binding.getRoleRef().getName());
        assertEquals(1, binding.getSubjects().size());
        assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
        assertEquals(Names.TUNNEL_SERVICE_ACCOUNT, binding.getSubjects().get(0).getName());
        assertEquals(NS, binding.getSubjects().get(0).getNamespace());
        for (var object : List.of(role, binding)) {
            assertEquals(Labels.OPERATOR, object.getMetadata().getLabels().get(Labels.MANAGED_BY));
            assertTrue(
                    object.getMetadata().getOwnerReferences().isEmpty(),
                    "a cluster-scoped object has no namespaced owner");
        }
        ConnectivityProxy cr = cluster.cp(NS, NAME);
        var account = client.serviceAccounts()
                .inNamespace(NS)
                .withName(Names.TUNNEL_SERVICE_ACCOUNT)
                .get();
        assertEquals(
                cr.getMetadata().getUid(),
                account.getMetadata().getOwnerReferences().get(0).getUid());

        var pod = cluster.template(NS, Names.TUNNEL).getSpec();
        assertEquals(Names.TUNNEL_SERVICE_ACCOUNT, pod.getServiceAccountName());
        Map<String, String> env = env(pod.getContainers().get(0));
        assertEquals("true", env.get("TUNNEL_SERVICE_CHANNELS_ENABLED"));
        assertEquals("true", env.get("TUNNEL_SERVICE_CHANNELS_KUBERNETES"));
        assertEquals("dedicated", env.get("TUNNEL_SERVICE_CHANNELS_TENANT_MODE"));
        assertEquals("0a1b2c3d-sub", env.get("TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT"));
        assertFalse(env.containsKey("TUNNEL_SERVICE_MAPPINGS_FILE"));
        assertTrue(
                pod.getVolumes().stream().noneMatch(v -> v.getConfigMap() != null), "no mappings ConfigMap is mounted");
        assertNull(client.configMaps()
                .inNamespace(NS)
                .withName("connectivity-proxy-service-mappings")
                .get());
    }

    @Test
    void theEndpointFollowsTheInstallationsExternalHostAndPort() {
        cluster.installReady(TestResources.defaultCr(NS, NAME));
        create(mapping("erp-rfc", "RFC", "erp-rfc", "gateway.erp.svc.cluster.local:3300"));
        awaitMapping("erp-rfc", m -> ("rfc://" + ENDPOINT_HOST + ":443/erp-rfc")
                .equals(m.getStatus().getEndpoint()));

        client.resources(ConnectivityProxy.class).inNamespace(NS).withName(NAME).edit(cp -> {
            cp.getSpec().getConfig().getServers().getBusinessDataTunnel().setExternalHost("tunnel.example.org");
            cp.getSpec().getConfig().getServers().getBusinessDataTunnel().setExternalPort(8443);
            return cp;
        });
        awaitMapping("erp-rfc", m -> "rfc://tunnel.example.org:8443/erp-rfc"
                .equals(m.getStatus().getEndpoint()));
    }

    @Test
    void aDuplicateIsRejectedNamingTheServedOneWhichItReplacesWhenThatOneGoes() {
        cluster.installReady(TestResources.defaultCr(NS, NAME));
        create(mapping("first", "TCP", "erp", "a.apps.svc.cluster.local:1"));
        awaitMapping("first", m -> m.getStatus().getEndpoint() != null);
        // The installation's own subaccount, spelled out: the same channel as one without a subaccount.
        ServiceMapping second = mapping("second", "TCP", "erp", "b.apps.svc.cluster.local:2");
        second.getSpec().setSubaccountId("0a1b2c3d-sub");
        create(second);

        Condition rejected = accepted(
                awaitMapping("second", m -> "Duplicate".equals(accepted(m).getReason())));
        assertEquals("False", rejected.getStatus());
        assertTrue(rejected.getMessage().contains("spec.serviceId"), rejected.getMessage());
        assertTrue(rejected.getMessage().contains("only the oldest of them, first, is served"), rejected.getMessage());
        assertNull(client.resources(ServiceMapping.class)
                .withName("second")
                .get()
                .getStatus()
                .getEndpoint());
        Condition served =
                accepted(awaitMapping("first", m -> accepted(m).getMessage().contains("second")));
        assertEquals("True", served.getStatus());

        // Another type is another channel.
        create(mapping("third", "RFC", "erp", "c.apps.svc.cluster.local:3"));
        awaitMapping("third", m -> "True".equals(accepted(m).getStatus()));

        client.resources(ServiceMapping.class).withName("first").delete();
        ServiceMapping now =
                awaitMapping("second", m -> "True".equals(accepted(m).getStatus()));
        assertEquals("tcp://" + ENDPOINT_HOST + ":443/erp", now.getStatus().getEndpoint());
    }

    @Test
    void anAddressWithoutAValidPortIsRejectedNamingTheField() {
        cluster.installReady(TestResources.defaultCr(NS, NAME));
        // The mock server does not apply the CRD's pattern, so the operator's own check is what is seen here.
        create(mapping("no-port", "TCP", "no-port", "erp.apps.svc.cluster.local"));
        create(mapping("port-too-big", "TCP", "port-too-big", "erp.apps.svc.cluster.local:70000"));
        for (String name : List.of("no-port", "port-too-big")) {
            ServiceMapping mapping =
                    awaitMapping(name, m -> !"NoInstallation".equals(accepted(m).getReason()));
            assertEquals("False", accepted(mapping).getStatus());
            assertEquals("InvalidAddress", accepted(mapping).getReason());
            assertTrue(
                    accepted(mapping).getMessage().contains("spec.internalAddress: must be host:port"),
                    accepted(mapping).getMessage());
            assertNull(mapping.getStatus().getEndpoint());
        }
    }

    @Test
    void inSharedTenantModeAMappingMustNameItsSubaccount() {
        ConnectivityProxy shared = TestResources.defaultCr(NS, NAME);
        shared.getSpec().getConfig().setTenantMode("shared");
        cluster.installReady(shared);
        create(mapping("anonymous", "TCP", "erp", "erp.apps.svc.cluster.local:3300"));
        ServiceMapping named = mapping("named", "TCP", "erp", "erp.apps.svc.cluster.local:3300");
        named.getSpec().setSubaccountId("tenant-sub-1");
        named.getSpec().setTenantId("tenant-1");
        create(named);

        ServiceMapping anonymous = awaitMapping(
                "anonymous", m -> !"NoInstallation".equals(accepted(m).getReason()));
        assertEquals("SubaccountRequired", accepted(anonymous).getReason());
        assertTrue(
                accepted(anonymous).getMessage().contains("spec.subaccountId"),
                accepted(anonymous).getMessage());
        assertNull(anonymous.getStatus().getEndpoint());
        awaitMapping("named", m -> m.getStatus().getEndpoint() != null);
        assertEquals(
                "tenant-1",
                client.resources(ServiceMapping.class)
                        .withName("named")
                        .get()
                        .getSpec()
                        .getTenantId());

        Map<String, String> env =
                env(cluster.template(NS, Names.TUNNEL).getSpec().getContainers().get(0));
        assertEquals("shared", env.get("TUNNEL_SERVICE_CHANNELS_TENANT_MODE"));
        assertFalse(env.containsKey("TUNNEL_SERVICE_CHANNELS_DEFAULT_SUBACCOUNT"));
    }

    @Test
    void aMappingWaitsForAnInstallation() {
        create(mapping("early", "TCP", "early", "erp.apps.svc.cluster.local:22"));
        assertEquals(
                "NoInstallation", accepted(awaitMapping("early", m -> true)).getReason());
        cluster.installReady(TestResources.defaultCr(NS, NAME));
        awaitMapping("early", m -> ("tcp://" + ENDPOINT_HOST + ":443/early")
                .equals(m.getStatus().getEndpoint()));
    }

    @Test
    void disablingServiceChannelsWhileMappingsExistWarnsNamingThemAndTheWarningClearsWhenTheyAreGone() {
        cluster.installReady(TestResources.defaultCr(NS, NAME));
        create(mapping("erp-ssh", "TCP", "erp-ssh", "ssh.erp.svc.cluster.local:22"));
        create(mapping("erp-events", "TCP", "erp-events", "events.erp.svc.cluster.local:9092"));
        awaitMapping("erp-ssh", m -> m.getStatus().getEndpoint() != null);
        awaitMapping("erp-events", m -> m.getStatus().getEndpoint() != null);

        setServiceChannels(false);
        ConnectivityProxyStatus warning = cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Warning);
        Condition channels = condition(warning, ConditionTypes.SERVICE_CHANNELS);
        assertEquals("False", channels.getStatus());
        assertEquals("DisabledWithMappings", channels.getReason());
        assertTrue(channels.getMessage().contains("erp-events, erp-ssh"), channels.getMessage());
        for (String name : List.of("erp-ssh", "erp-events")) {
            ServiceMapping mapping = awaitMapping(
                    name, m -> "ServiceChannelsDisabled".equals(accepted(m).getReason()));
            assertEquals("False", accepted(mapping).getStatus());
            assertNull(mapping.getStatus().getEndpoint());
        }
        // tunnel-service is told, and rolls; the mappings themselves stay.
        assertEquals(
                "false",
                env(cluster.template(NS, Names.TUNNEL).getSpec().getContainers().get(0))
                        .get("TUNNEL_SERVICE_CHANNELS_ENABLED"));
        assertEquals(2, client.resources(ServiceMapping.class).list().getItems().size());

        client.resources(ServiceMapping.class).withName("erp-ssh").delete();
        cluster.awaitStatus(NS, NAME, s -> !condition(s, ConditionTypes.SERVICE_CHANNELS)
                .getMessage()
                .contains("erp-ssh"));
        assertTrue(condition(cluster.cp(NS, NAME).getStatus(), ConditionTypes.SERVICE_CHANNELS)
                .getMessage()
                .contains("1 ServiceMapping exists"));
        client.resources(ServiceMapping.class).withName("erp-events").delete();
        ConnectivityProxyStatus cleared = cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Ready);
        assertEquals("True", condition(cleared, ConditionTypes.SERVICE_CHANNELS).getStatus());
        assertEquals(
                "Disabled", condition(cleared, ConditionTypes.SERVICE_CHANNELS).getReason());
    }

    @Test
    void reEnablingServiceChannelsClearsTheWarningAndServesTheMappingsAgain() {
        cluster.installReady(TestResources.defaultCr(NS, NAME));
        create(mapping("erp-ssh", "TCP", "erp-ssh", "ssh.erp.svc.cluster.local:22"));
        awaitMapping("erp-ssh", m -> m.getStatus().getEndpoint() != null);
        setServiceChannels(false);
        cluster.awaitStatus(
                NS,
                NAME,
                s -> s.getState() == State.Warning
                        && "DisabledWithMappings"
                                .equals(condition(s, ConditionTypes.SERVICE_CHANNELS)
                                        .getReason()));

        setServiceChannels(true);
        ConnectivityProxyStatus enabled = cluster.awaitStatus(
                NS,
                NAME,
                s -> s.getState() == State.Ready
                        && "Enabled"
                                .equals(condition(s, ConditionTypes.SERVICE_CHANNELS)
                                        .getReason()));
        assertEquals("True", condition(enabled, ConditionTypes.SERVICE_CHANNELS).getStatus());
        awaitMapping("erp-ssh", m -> ("tcp://" + ENDPOINT_HOST + ":443/erp-ssh")
                .equals(m.getStatus().getEndpoint()));
        assertEquals(
                "true",
                env(cluster.template(NS, Names.TUNNEL).getSpec().getContainers().get(0))
                        .get("TUNNEL_SERVICE_CHANNELS_ENABLED"));
    }

    /** Changes the spec, waits until both workloads carry the new template, and plays their rollout. */
    private void setServiceChannels(boolean enabled) {
        String proxyHash = hashOf(cluster.deployment(NS, Names.PROXY));
        String tunnelHash = hashOf(cluster.statefulSet(NS, Names.TUNNEL));
        client.resources(ConnectivityProxy.class).inNamespace(NS).withName(NAME).edit(cp -> {
            cp.getSpec().getConfig().getServiceChannels().setEnabled(enabled);
            return cp;
        });
        await().atMost(TIMEOUT)
                .until(() -> !proxyHash.equals(hashOf(cluster.deployment(NS, Names.PROXY)))
                        && !tunnelHash.equals(hashOf(cluster.statefulSet(NS, Names.TUNNEL))));
        cluster.rolledOut(NS, Names.PROXY);
        cluster.rolledOut(NS, Names.TUNNEL);
    }

    private void create(ServiceMapping mapping) {
        client.resource(mapping).create();
    }

    /** The mapping once it has a status that satisfies {@code test}. */
    private ServiceMapping awaitMapping(String name, Predicate<ServiceMapping> test) {
        await().atMost(TIMEOUT).until(() -> {
            ServiceMapping mapping =
                    client.resources(ServiceMapping.class).withName(name).get();
            return mapping != null
                    && mapping.getStatus() != null
                    && !mapping.getStatus().getConditions().isEmpty()
                    && test.test(mapping);
        });
        return client.resources(ServiceMapping.class).withName(name).get();
    }

    private static Condition accepted(ServiceMapping mapping) {
        return mapping.getStatus().getConditions().stream()
                .filter(c -> "Accepted".equals(c.getType()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "no Accepted condition on " + mapping.getMetadata().getName()));
    }

    private static ServiceMapping mapping(String name, String type, String serviceId, String address) {
        ServiceMapping mapping = new ServiceMapping();
        mapping.getMetadata().setName(name);
        ServiceMappingSpec spec = new ServiceMappingSpec();
        spec.setType(type);
        spec.setServiceId(serviceId);
        spec.setInternalAddress(address);
        mapping.setSpec(spec);
        return mapping;
    }
}
