package io.connectivityproxy.operator.reconciler;

import static io.connectivityproxy.operator.reconciler.Cluster.TIMEOUT;
import static io.connectivityproxy.operator.reconciler.Cluster.condition;
import static io.connectivityproxy.operator.reconciler.Cluster.hashOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.Autoscaling;
import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxyStatus;
import io.connectivityproxy.operator.api.State;
import io.connectivityproxy.operator.model.ConditionTypes;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.ObjectMetas;
import io.connectivityproxy.operator.model.StatusEvents;
import io.connectivityproxy.operator.model.istio.VirtualService;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;

/**
 * High availability (docs/operator.md) against the fabric8 mock API server in CRUD mode: the
 * test plays the Deployment, StatefulSet and HorizontalPodAutoscaler controllers, the operator is
 * the real one.
 */
@WithKubernetesTestServer(crud = true)
@QuarkusTest
class HighAvailabilityReconcilerTest {

    static final String NS = "ha";
    static final String NAME = "connectivity-proxy";
    static final List<String> REPLICAS =
            List.of("connectivity-proxy-tunnel-0", "connectivity-proxy-tunnel-1", "connectivity-proxy-tunnel-2");

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
        cluster.allCps().forEach(cp -> client.resource(cp).delete());
        await().atMost(TIMEOUT).until(() -> cluster.allCps().isEmpty());
        client.secrets().inAnyNamespace().list().getItems().forEach(s -> client.resource(s)
                .delete());
        client.configMaps().inAnyNamespace().list().getItems().forEach(c -> client.resource(c)
                .delete());
    }

    @Test
    void threeReplicasGetPerReplicaRoutesBudgetsSpreadingAndAnAutoscalerAndOneReplicaRemovesThem() {
        ConnectivityProxy cr = TestResources.defaultCr(NS, NAME);
        cr.getSpec().getDeployment().setReplicaCount(3);
        Autoscaling.Horizontal horizontal =
                cr.getSpec().getDeployment().getAutoscaling().getHorizontal();
        horizontal.setEnabled(true);
        horizontal.setMaxReplicaCount(6);
        horizontal.getMetrics().setCpuAverageUtilization(70);
        client.resource(cr).create();
        cluster.serviceKeySecret(NS, "0a1b2c3d-sub", "my-subdomain");

        await().atMost(TIMEOUT)
                .until(() -> pdb(Names.PROXY) != null
                        && pdb(Names.TUNNEL) != null
                        && hpa() != null
                        && cluster.deployment(NS, Names.PROXY) != null
                        && cluster.statefulSet(NS, Names.TUNNEL) != null
                        && replicaServices().size() == 3
                        && virtualService() != null);
        assertEquals(1, pdb(Names.PROXY).getSpec().getMaxUnavailable().getIntVal());
        assertEquals(
                Map.of("app.kubernetes.io/name", "connectivity-proxy", "app.kubernetes.io/component", "tunnel-service"),
                pdb(Names.TUNNEL).getSpec().getSelector().getMatchLabels());
        HorizontalPodAutoscaler hpa = hpa();
        assertEquals(Names.PROXY, hpa.getSpec().getScaleTargetRef().getName());
        assertEquals(3, hpa.getSpec().getMinReplicas());
        assertEquals(6, hpa.getSpec().getMaxReplicas());
        assertEquals(
                70, hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization());

        StatefulSet tunnel = cluster.statefulSet(NS, Names.TUNNEL);
        assertEquals(3, tunnel.getSpec().getReplicas());
        assertEquals("Parallel", tunnel.getSpec().getPodManagementPolicy());
        assertEquals(Names.CLUSTER, tunnel.getSpec().getServiceName());
        assertEquals(
                tunnel.getSpec().getSelector().getMatchLabels(),
                pdb(Names.TUNNEL).getSpec().getSelector().getMatchLabels());
        List<String> env = pod(tunnel).getContainers().get(0).getEnv().stream()
                .map(e -> e.getName())
                .toList();
        assertTrue(
                env.indexOf("POD_NAME") >= 0 && env.indexOf("POD_NAME") < env.indexOf("TUNNEL_REPLICA_URL"),
                env.toString());
        assertEquals(
                "wss://cp.c-1234.kyma.example.com:443/tunnel/$(POD_NAME)",
                pod(tunnel)
                        .getContainers()
                        .get(0)
                        .getEnv()
                        .get(env.indexOf("TUNNEL_REPLICA_URL"))
                        .getValue());

        // Every pod has its Service and its route, ahead of the general one.
        assertEquals(REPLICAS, replicaServices().keySet().stream().sorted().toList());
        replicaServices().forEach((pod, service) -> {
            assertEquals(
                    Map.of("statefulset.kubernetes.io/pod-name", pod),
                    service.getSpec().getSelector());
            assertEquals(8042, service.getSpec().getPorts().get(0).getPort());
            assertEquals(
                    "http-tunnel",
                    service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        });
        assertEquals(
                List.of(
                        "connectivity-proxy-tunnel-2",
                        "connectivity-proxy-tunnel-1",
                        "connectivity-proxy-tunnel-0",
                        "tunnel"),
                routeNames());
        for (VirtualService.HttpRoute route : virtualService().getSpec().http().subList(0, 3)) {
            assertEquals("/tunnel/" + route.name(), route.match().get(0).uri().prefix());
            assertEquals("/tunnel", route.rewrite().uri());
            assertEquals(
                    route.name() + "." + NS + ".svc.cluster.local",
                    route.route().get(0).destination().host());
        }
        assertEquals(
                "topology.kubernetes.io/zone",
                pod(tunnel).getTopologySpreadConstraints().get(0).getTopologyKey());
        assertEquals(
                "ScheduleAnyway",
                pod(tunnel).getTopologySpreadConstraints().get(0).getWhenUnsatisfiable());
        assertEquals(
                "kubernetes.io/hostname",
                pod(tunnel)
                        .getAffinity()
                        .getPodAntiAffinity()
                        .getPreferredDuringSchedulingIgnoredDuringExecution()
                        .get(0)
                        .getPodAffinityTerm()
                        .getTopologyKey());
        Deployment proxy = cluster.deployment(NS, Names.PROXY);
        assertEquals(3, proxy.getSpec().getReplicas(), "created at the autoscaler's minimum, then left to it");
        assertEquals(1, pod(proxy).getTopologySpreadConstraints().size());

        // The autoscaler scales proxy-service to 4; tunnel-service has 2 of 3 pods ready.
        hpaScales(4);
        rollout(Names.PROXY, 4);
        rollout(Names.TUNNEL, 2);
        ConnectivityProxyStatus status = cluster.awaitStatus(NS, NAME, s -> s.getConditions().stream()
                .anyMatch(c -> ConditionTypes.WORKLOADS_READY.equals(c.getType())
                        && "proxy-service 4/4 ready, tunnel-service 2/3 ready".equals(c.getMessage())));
        assertEquals(State.Processing, status.getState());
        assertEquals(
                "WorkloadsNotReady",
                condition(status, ConditionTypes.WORKLOADS_READY).getReason());

        rollout(Names.TUNNEL, 3);
        status = cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Ready);
        assertEquals(
                "proxy-service 4/4 ready, tunnel-service 3/3 ready",
                condition(status, ConditionTypes.WORKLOADS_READY).getMessage());
        await().atMost(TIMEOUT).until(() -> events().stream()
                .anyMatch(e -> "WorkloadsAvailable".equals(e.getReason())
                        && e.getMessage().contains("proxy-service 4/4 ready, tunnel-service 3/3 ready")));

        // Pods are lost: the first loss changes WorkloadsReady's reason (an Event says so); a further loss keeps
        // the reason and is told by a ReadyReplicasChanged Event with the new counts.
        rollout(Names.TUNNEL, 2);
        cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Processing);
        rollout(Names.TUNNEL, 1);
        await().atMost(TIMEOUT).until(() -> events().stream()
                .anyMatch(e -> StatusEvents.READY_REPLICAS_CHANGED.equals(e.getReason())
                        && "proxy-service 4/4 ready, tunnel-service 1/3 ready".equals(e.getMessage())));
        rollout(Names.TUNNEL, 3);
        cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Ready);

        // A change that rolls the workloads keeps the autoscaler's count instead of resetting it.
        String proxyHash = hashOf(cluster.deployment(NS, Names.PROXY));
        editSpec(cp -> {
            cp.getSpec().getConfig().getServers().getProxy().getHttp().setPort(21003);
            return cp;
        });
        await().atMost(TIMEOUT).until(() -> !proxyHash.equals(hashOf(cluster.deployment(NS, Names.PROXY))));
        assertEquals(4, cluster.deployment(NS, Names.PROXY).getSpec().getReplicas());

        // Back to one replica without autoscaling: budgets and autoscaler are deleted, the count is the operator's
        // again, and the Services and routes of replicas 1 and 2 are gone.
        editSpec(cp -> {
            cp.getSpec().getDeployment().setReplicaCount(1);
            cp.getSpec().getDeployment().getAutoscaling().getHorizontal().setEnabled(false);
            return cp;
        });
        await().atMost(TIMEOUT).until(() -> pdb(Names.PROXY) == null && pdb(Names.TUNNEL) == null && hpa() == null);
        await().atMost(TIMEOUT)
                .until(() -> replicaServices().size() == 1
                        && routeNames().equals(List.of("connectivity-proxy-tunnel-0", "tunnel")));
        assertEquals(
                List.of("connectivity-proxy-tunnel-0"),
                List.copyOf(replicaServices().keySet()));
        assertNotNull(client.services().inNamespace(NS).withName(Names.TUNNEL).get(), "the general Service stays");
        await().atMost(TIMEOUT)
                .until(() -> Integer.valueOf(1)
                                .equals(cluster.deployment(NS, Names.PROXY)
                                        .getSpec()
                                        .getReplicas())
                        && Integer.valueOf(1)
                                .equals(cluster.statefulSet(NS, Names.TUNNEL)
                                        .getSpec()
                                        .getReplicas()));
        for (String name : List.of(Names.PROXY, Names.TUNNEL)) {
            PodSpec pod = cluster.template(NS, name).getSpec();
            assertTrue(
                    pod.getTopologySpreadConstraints() == null
                            || pod.getTopologySpreadConstraints().isEmpty(),
                    name);
            assertNull(pod.getAffinity(), name);
        }
        cluster.rolledOut(NS, Names.PROXY);
        cluster.rolledOut(NS, Names.TUNNEL);
        status = cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Ready);
        assertEquals(
                "proxy-service 1/1 ready, tunnel-service 1/1 ready",
                condition(status, ConditionTypes.WORKLOADS_READY).getMessage());
    }

    /**
     * An installation made by an operator version that ran tunnel-service as a Deployment: the
     * StatefulSet takes over, and the old Deployment serves until the StatefulSet's pods are ready,
     * then is deleted.
     */
    @Test
    void anOlderOperatorsTunnelDeploymentServesUntilTheStatefulSetIsReadyAndIsThenRemoved() {
        ConnectivityProxy cr = TestResources.defaultCr(NS, NAME);
        cr.getSpec().getDeployment().setReplicaCount(2);
        // Without the service key the workloads wait, so the old Deployment is there first, as in an upgrade.
        client.resource(cr).create();
        ConnectivityProxy created = cluster.awaitCp(NS, NAME);
        client.resource(legacyTunnelDeployment(created)).create();
        rollout(Names.TUNNEL + "-legacy", 2);

        cluster.serviceKeySecret(NS, "0a1b2c3d-sub", "my-subdomain");
        await().atMost(TIMEOUT).until(() -> cluster.statefulSet(NS, Names.TUNNEL) != null);
        cluster.rolledOut(NS, Names.PROXY);
        rollout(Names.TUNNEL, 1);
        // The status comes from the same reconcile that saw the StatefulSet 1/2 ready and so left the Deployment.
        cluster.awaitStatus(NS, NAME, s -> s.getConditions().stream()
                .anyMatch(c -> ConditionTypes.WORKLOADS_READY.equals(c.getType())
                        && c.getMessage().contains("tunnel-service 1/2 ready")));
        Deployment old = cluster.deployment(NS, Names.TUNNEL);
        assertNotNull(old, "the old pods serve until the new ones can");
        assertEquals(2, old.getSpec().getReplicas(), "and the operator does not touch them");

        rollout(Names.TUNNEL, 2);
        await().atMost(TIMEOUT).until(() -> cluster.deployment(NS, Names.TUNNEL) == null);
        ConnectivityProxyStatus status = cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Ready);
        assertEquals(
                "proxy-service 2/2 ready, tunnel-service 2/2 ready",
                condition(status, ConditionTypes.WORKLOADS_READY).getMessage());
        assertNotNull(cluster.deployment(NS, Names.PROXY), "proxy-service's Deployment stays");
        assertEquals(2, replicaServices().size());
    }

    @Test
    void anAutoscalerMaximumBelowReplicaCountEndsInErrorNamingTheField() {
        ConnectivityProxy cr = TestResources.defaultCr(NS, NAME);
        cr.getSpec().getDeployment().setReplicaCount(3);
        cr.getSpec().getDeployment().getAutoscaling().getHorizontal().setEnabled(true);
        cr.getSpec().getDeployment().getAutoscaling().getHorizontal().setMaxReplicaCount(2);
        client.resource(cr).create();
        ConnectivityProxyStatus status = cluster.awaitStatus(NS, NAME, s -> s.getState() == State.Error);
        assertEquals("InvalidSpec", condition(status, ConditionTypes.INSTALLED).getReason());
        assertTrue(
                condition(status, ConditionTypes.INSTALLED)
                        .getMessage()
                        .contains(
                                "spec.deployment.autoscaling.horizontal.maxReplicaCount: must be at least spec.deployment.replicaCount (3), was 2"),
                condition(status, ConditionTypes.INSTALLED).getMessage());
        assertNull(hpa(), "nothing is installed from an invalid spec");
        assertNull(pdb(Names.PROXY));
    }

    /** What the HorizontalPodAutoscaler controller does: it sets the Deployment's replicas (through its scale subresource). */
    private void hpaScales(int replicas) {
        client.apps().deployments().inNamespace(NS).withName(Names.PROXY).edit(d -> {
            d.getSpec().setReplicas(replicas);
            return d;
        });
    }

    /**
     * What the workload's controller reports when {@code ready} pods of the current template are
     * ready: the StatefulSet controller for tunnel-service, the Deployment controller otherwise
     * (for {@code connectivity-proxy-tunnel-legacy}: of the old tunnel Deployment).
     */
    private void rollout(String name, int ready) {
        if (Names.TUNNEL.equals(name)) {
            cluster.tunnelReady(NS, ready);
            return;
        }
        String deployment = name.equals(Names.TUNNEL + "-legacy") ? Names.TUNNEL : name;
        client.apps().deployments().inNamespace(NS).withName(deployment).editStatus(d -> {
            int replicas = d.getSpec().getReplicas();
            d.setStatus(new DeploymentStatusBuilder()
                    .withObservedGeneration(d.getMetadata().getGeneration())
                    .withReplicas(replicas)
                    .withReadyReplicas(ready)
                    .withUpdatedReplicas(replicas)
                    .withAvailableReplicas(ready)
                    .build());
            return d;
        });
    }

    /** tunnel-service's Deployment as operator versions before the StatefulSet made it: owned and labelled. */
    private static Deployment legacyTunnelDeployment(ConnectivityProxy cr) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(Names.TUNNEL)
                .withNamespace(NS)
                .withLabels(Labels.of(NAME, Labels.TUNNEL_SERVICE))
                .withOwnerReferences(ObjectMetas.ownerReference(cr))
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewSelector()
                .withMatchLabels(Labels.selector(Labels.TUNNEL_SERVICE))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Labels.of(NAME, Labels.TUNNEL_SERVICE))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("tunnel-service")
                .withImage("ghcr.io/connectivity-proxy/tunnel-service:0.0.9")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private PodDisruptionBudget pdb(String name) {
        return client.policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(NS)
                .withName(name)
                .get();
    }

    private HorizontalPodAutoscaler hpa() {
        return client.autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(NS)
                .withName(Names.PROXY)
                .get();
    }

    private List<Event> events() {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> NAME.equals(e.getInvolvedObject().getName()))
                .collect(Collectors.toList());
    }

    private static PodSpec pod(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec();
    }

    private static PodSpec pod(StatefulSet statefulSet) {
        return statefulSet.getSpec().getTemplate().getSpec();
    }

    /** The per-replica Services by name. */
    private Map<String, Service> replicaServices() {
        return client.services().inNamespace(NS).withLabel(Names.TUNNEL_REPLICA_LABEL).list().getItems().stream()
                .collect(Collectors.toMap(s -> s.getMetadata().getName(), s -> s, (a, b) -> a, java.util.TreeMap::new));
    }

    private VirtualService virtualService() {
        return client.resources(VirtualService.class)
                .inNamespace(NS)
                .withName(Names.GATEWAY)
                .get();
    }

    private List<String> routeNames() {
        VirtualService service = virtualService();
        return service == null
                ? List.of()
                : service.getSpec().http().stream()
                        .map(VirtualService.HttpRoute::name)
                        .toList();
    }

    /**
     * Edits the resource as a user would; the operator writes its status meanwhile, so an edit based on
     * a version it has just replaced is refused (409) and made again on the new one, as kubectl does.
     */
    private void editSpec(java.util.function.UnaryOperator<ConnectivityProxy> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.resources(ConnectivityProxy.class)
                        .inNamespace(NS)
                        .withName(NAME)
                        .edit(change);
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }
}
