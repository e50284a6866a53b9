package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.istio.VirtualService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/** Per-replica routing of tunnel-service (docs/operator.md, High availability), with replicaCount 3. */
class TunnelReplicasTest {

    static final List<String> PODS =
            List.of("connectivity-proxy-tunnel-0", "connectivity-proxy-tunnel-1", "connectivity-proxy-tunnel-2");

    @Test
    void threeReplicasAreAStatefulSetOfThreeIndependentPodsGovernedByTheHeadlessClusterService() {
        ConnectivityProxy cr = replicas(3);
        StatefulSet statefulSet = tunnel(cr);
        assertEquals("apps/v1", statefulSet.getApiVersion());
        assertEquals("StatefulSet", statefulSet.getKind());
        assertEquals(Names.TUNNEL, statefulSet.getMetadata().getName());
        assertEquals(3, statefulSet.getSpec().getReplicas());
        assertEquals("Parallel", statefulSet.getSpec().getPodManagementPolicy(), "replicas do not wait for each other");
        assertEquals("RollingUpdate", statefulSet.getSpec().getUpdateStrategy().getType());
        assertEquals(TunnelReplicas.pods(cr), PODS, "the names the StatefulSet controller gives its pods");

        // The governing Service must be headless and select the pods; the cluster discovery Service is both.
        Service governing = ProxyServices.cluster(cr);
        assertEquals(governing.getMetadata().getName(), statefulSet.getSpec().getServiceName());
        assertEquals("None", governing.getSpec().getClusterIP());
        Map<String, String> podLabels =
                statefulSet.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels
                .entrySet()
                .containsAll(governing.getSpec().getSelector().entrySet()));

        // Budget and spreading as for every replicated workload, on the StatefulSet's own selector.
        Map<String, String> selector = statefulSet.getSpec().getSelector().getMatchLabels();
        assertTrue(podLabels.entrySet().containsAll(selector.entrySet()));
        PodDisruptionBudget budget = HighAvailability.disruptionBudget(cr, Names.TUNNEL, Labels.TUNNEL_SERVICE);
        assertEquals(selector, budget.getSpec().getSelector().getMatchLabels());
        assertEquals(1, budget.getSpec().getMaxUnavailable().getIntVal());
        PodSpec pod = statefulSet.getSpec().getTemplate().getSpec();
        assertEquals(
                HighAvailability.ZONE_KEY,
                pod.getTopologySpreadConstraints().get(0).getTopologyKey());
        assertEquals(
                selector,
                pod.getTopologySpreadConstraints().get(0).getLabelSelector().getMatchLabels());
        var antiAffinity = pod.getAffinity()
                .getPodAntiAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution()
                .get(0)
                .getPodAffinityTerm();
        assertEquals(HighAvailability.HOSTNAME_KEY, antiAffinity.getTopologyKey());
        assertEquals(selector, antiAffinity.getLabelSelector().getMatchLabels());
    }

    @Test
    void eachPodHasAServiceOfItsNameSelectingOnlyItOnTheTunnelPort() {
        ConnectivityProxy cr = replicas(3);
        List<Service> services = TunnelReplicas.services(cr);
        assertEquals(PODS, services.stream().map(s -> s.getMetadata().getName()).toList());
        Container tunnel =
                tunnel(cr).getSpec().getTemplate().getSpec().getContainers().get(0);
        for (Service service : services) {
            String pod = service.getMetadata().getName();
            assertEquals(Fixtures.NS, service.getMetadata().getNamespace());
            assertEquals(Map.of(Names.POD_NAME_LABEL, pod), service.getSpec().getSelector(), pod);
            assertEquals("ClusterIP", service.getSpec().getType());
            assertEquals(1, service.getSpec().getPorts().size());
            ServicePort port = service.getSpec().getPorts().get(0);
            assertEquals(8042, port.getPort());
            assertEquals("http-tunnel", port.getTargetPort().getStrVal());
            assertTrue(
                    tunnel.getPorts().stream()
                            .anyMatch(
                                    p -> p.getName().equals(port.getTargetPort().getStrVal())
                                            && p.getContainerPort() == 8042),
                    "the target port is the container's tunnel port");
            assertEquals(pod, service.getMetadata().getLabels().get(Names.TUNNEL_REPLICA_LABEL));
            assertEquals(Labels.OPERATOR, service.getMetadata().getLabels().get(Labels.MANAGED_BY));
            assertEquals(
                    "uid-1", service.getMetadata().getOwnerReferences().get(0).getUid());
        }
    }

    @Test
    void eachReplicaPathIsRoutedToItsPodsServiceRewrittenToTunnelBeforeTheGeneralRoute() throws Exception {
        ConnectivityProxy cr = replicas(3);
        List<VirtualService.HttpRoute> routes = TunnelIngress.virtualService(cr, Fixtures.resolved(cr))
                .getSpec()
                .http();
        assertEquals(
                List.of(
                        "connectivity-proxy-tunnel-2",
                        "connectivity-proxy-tunnel-1",
                        "connectivity-proxy-tunnel-0",
                        TunnelIngress.GENERAL_ROUTE),
                routes.stream().map(VirtualService.HttpRoute::name).toList());
        for (String pod : PODS) {
            VirtualService.HttpRoute route = routes.stream()
                    .filter(r -> pod.equals(r.name()))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    List.of(new VirtualService.HttpMatch(VirtualService.StringMatch.ofPrefix("/tunnel/" + pod))),
                    route.match());
            assertEquals(new VirtualService.HttpRewrite("/tunnel"), route.rewrite());
            assertEquals(
                    pod + ".kyma-system.svc.cluster.local",
                    route.route().get(0).destination().host());
            assertEquals(8042, route.route().get(0).destination().port().number());
        }
        VirtualService.HttpRoute general = routes.get(routes.size() - 1);
        assertNull(general.match(), "everything else, /tunnel included, goes to any replica");
        assertNull(general.rewrite());
        assertEquals(
                "connectivity-proxy-tunnel.kyma-system.svc.cluster.local",
                general.route().get(0).destination().host());

        // What Istio reads: its field names, and nothing empty.
        JsonNode json = new ObjectMapper().valueToTree(routes.get(2));
        assertEquals(new ObjectMapper().readTree("""
                                {"name": "connectivity-proxy-tunnel-0",
                                 "match": [{"uri": {"prefix": "/tunnel/connectivity-proxy-tunnel-0"}}],
                                 "rewrite": {"uri": "/tunnel"},
                                 "route": [{"destination": {
                                     "host": "connectivity-proxy-tunnel-0.kyma-system.svc.cluster.local",
                                     "port": {"number": 8042}}}]}
                                """), json);
    }

    /**
     * The URL each pod announces, expanded as Kubernetes expands {@code $(POD_NAME)}, is routed by
     * the first matching route (Istio's rule) to that pod's Service, with the path tunnel-service
     * serves; with eleven replicas, so that {@code ...-1} is a prefix of {@code ...-10}.
     */
    @Test
    void everyReplicaUrlReachesItsOwnPodEvenWhenOneNameIsAPrefixOfAnother() {
        ConnectivityProxy cr = replicas(11);
        List<VirtualService.HttpRoute> routes = TunnelIngress.virtualService(cr, Fixtures.resolved(cr))
                .getSpec()
                .http();
        String template = env(tunnel(cr)).stream()
                .filter(e -> e.getName().equals("TUNNEL_REPLICA_URL"))
                .findFirst()
                .orElseThrow()
                .getValue();
        List<String> services = TunnelReplicas.services(cr).stream()
                .map(s -> s.getMetadata().getName())
                .toList();
        for (String pod : TunnelReplicas.pods(cr)) {
            String url = template.replace("$(POD_NAME)", pod);
            String prefix = "wss://cp.c-1.kyma.example:443";
            assertTrue(url.startsWith(prefix), url);
            String path = url.substring(prefix.length());
            VirtualService.HttpRoute first = routes.stream()
                    .filter(r -> r.match() == null
                            || r.match().stream()
                                    .anyMatch(m -> path.startsWith(m.uri().prefix())))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    pod + ".kyma-system.svc.cluster.local",
                    first.route().get(0).destination().host(),
                    path);
            assertTrue(services.contains(pod));
            String matched = first.match().get(0).uri().prefix();
            assertEquals("/tunnel", first.rewrite().uri() + path.substring(matched.length()), "rewritten " + path);
        }
    }

    @Test
    void theTunnelContainerGetsItsPodNameAndThenItsReplicaUrl() {
        ConnectivityProxy cr = replicas(3);
        List<EnvVar> env = env(tunnel(cr));
        List<String> names = env.stream().map(EnvVar::getName).toList();
        int podName = names.indexOf("POD_NAME");
        int replicaUrl = names.indexOf("TUNNEL_REPLICA_URL");
        assertTrue(podName >= 0 && replicaUrl > podName, "Kubernetes expands only variables defined earlier: " + names);
        assertEquals(
                "metadata.name", env.get(podName).getValueFrom().getFieldRef().getFieldPath());
        assertNull(env.get(podName).getValue());
        assertEquals(
                "wss://cp.c-1.kyma.example:443/tunnel/$(POD_NAME)",
                env.get(replicaUrl).getValue());
    }

    /**
     * One replica is set up the same way, so that scaling adds and removes pods, Services and
     * routes without rolling the pods that stay: their containers do not change with the count,
     * and from two replicas on neither does anything else of the pod template.
     */
    @Test
    void aSingleReplicaHasItsServiceRouteAndUrlTooAndScalingRollsNoPodThatStays() {
        ConnectivityProxy cr = replicas(1);
        assertEquals(
                List.of("connectivity-proxy-tunnel-0"),
                TunnelReplicas.services(cr).stream()
                        .map(s -> s.getMetadata().getName())
                        .toList());
        assertEquals(
                List.of("connectivity-proxy-tunnel-0", TunnelIngress.GENERAL_ROUTE),
                TunnelIngress.virtualService(cr, Fixtures.resolved(cr)).getSpec().http().stream()
                        .map(VirtualService.HttpRoute::name)
                        .toList());
        assertEquals(
                tunnel(replicas(3)).getSpec().getTemplate().getSpec().getContainers(),
                tunnel(cr).getSpec().getTemplate().getSpec().getContainers());
        assertEquals(
                tunnel(replicas(3)).getSpec().getTemplate(),
                tunnel(replicas(4)).getSpec().getTemplate(),
                "3 to 4 replicas: the same pod template, config hash included");
    }

    @Test
    void theUrlUsesAGivenHostAndPortAndIsLeftOutWhileTheHostIsUnknown() {
        ConnectivityProxy cr = replicas(2);
        cr.getSpec().getConfig().getServers().getBusinessDataTunnel().setExternalHost("tunnel.example.org");
        cr.getSpec().getConfig().getServers().getBusinessDataTunnel().setExternalPort(8443);
        assertEquals(
                Optional.of("wss://tunnel.example.org:8443/tunnel/$(POD_NAME)"),
                TunnelReplicas.replicaUrl(Fixtures.resolved(cr)));

        ConnectivityProxy auto = replicas(2);
        ClusterFacts noDomain = new ClusterFacts(
                true, true, Optional.empty(), Optional.of(Fixtures.serviceKey()), RestartFingerprint.NONE);
        ResolvedConfig resolved = ConfigResolver.resolve(auto, noDomain);
        assertTrue(resolved.externalHost().isEmpty());
        List<String> names = Workloads.tunnelService(auto, resolved, Fixtures.IMAGES, Fixtures.CLUSTER_TLS_HASH)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .stream()
                .map(EnvVar::getName)
                .toList();
        assertFalse(names.contains("TUNNEL_REPLICA_URL"), "no URL to announce: " + names);
        assertFalse(names.contains("POD_NAME"), names.toString());
    }

    private static ConnectivityProxy replicas(int count) {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getDeployment().setReplicaCount(count);
        return cr;
    }

    private static StatefulSet tunnel(ConnectivityProxy cr) {
        return Workloads.tunnelService(cr, Fixtures.resolved(cr), Fixtures.IMAGES, Fixtures.CLUSTER_TLS_HASH);
    }

    private static List<EnvVar> env(StatefulSet statefulSet) {
        return statefulSet
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv();
    }
}
