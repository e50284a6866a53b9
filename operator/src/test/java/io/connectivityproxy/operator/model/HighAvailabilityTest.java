package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.Autoscaling;
import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

class HighAvailabilityTest {

    @Test
    void oneReplicaGetsNoBudgetNoSpreadingAndAFixedCount() {
        ConnectivityProxy cr = Fixtures.cr();
        assertFalse(HighAvailability.replicated(cr));
        assertFalse(HighAvailability.proxyAutoscaled(cr));
        assertEquals(1, proxy(cr).getSpec().getReplicas());
        assertEquals(1, tunnel(cr).getSpec().getReplicas());
        for (PodSpec pod : List.of(
                proxy(cr).getSpec().getTemplate().getSpec(),
                tunnel(cr).getSpec().getTemplate().getSpec())) {
            assertNull(pod.getAffinity(), "a single replica has nothing to keep apart");
            assertTrue(pod.getTopologySpreadConstraints() == null
                    || pod.getTopologySpreadConstraints().isEmpty());
        }
    }

    @Test
    void threeReplicasAreSpreadOverZonesAndNodesWithoutBecomingUnschedulable() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getDeployment().setReplicaCount(3);
        assertTrue(HighAvailability.replicated(cr));
        assertSpread(proxy(cr).getSpec().getTemplate(), proxy(cr).getSpec().getSelector(), Labels.PROXY_SERVICE);
        assertSpread(tunnel(cr).getSpec().getTemplate(), tunnel(cr).getSpec().getSelector(), Labels.TUNNEL_SERVICE);
        assertEquals(3, proxy(cr).getSpec().getReplicas());
        assertEquals(3, tunnel(cr).getSpec().getReplicas());
    }

    @Test
    void eachWorkloadsBudgetLetsOnePodGoAtATimeAndSelectsOnlyItsPods() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getDeployment().setReplicaCount(3);
        PodDisruptionBudget proxy = HighAvailability.disruptionBudget(cr, Names.PROXY, Labels.PROXY_SERVICE);
        PodDisruptionBudget tunnel = HighAvailability.disruptionBudget(cr, Names.TUNNEL, Labels.TUNNEL_SERVICE);
        assertEquals("policy/v1", proxy.getApiVersion());
        assertEquals(Names.PROXY, proxy.getMetadata().getName());
        assertEquals(Names.TUNNEL, tunnel.getMetadata().getName());
        assertEquals(Fixtures.NS, tunnel.getMetadata().getNamespace());
        assertEquals(1, proxy.getSpec().getMaxUnavailable().getIntVal());
        assertNull(
                proxy.getSpec().getMinAvailable(),
                "minAvailable would block drains once the autoscaler goes to its minimum");
        // The selectors are the workloads' own: each budget covers exactly its workload's pods.
        assertEquals(
                proxy(cr).getSpec().getSelector().getMatchLabels(),
                proxy.getSpec().getSelector().getMatchLabels());
        assertEquals(
                tunnel(cr).getSpec().getSelector().getMatchLabels(),
                tunnel.getSpec().getSelector().getMatchLabels());
        assertEquals(
                List.of("connectivity-proxy"),
                proxy.getMetadata().getOwnerReferences().stream()
                        .map(o -> o.getName())
                        .toList());
    }

    @Test
    void theAutoscalerScalesTheProxyDeploymentBetweenReplicaCountAndMaxReplicaCount() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getDeployment().setReplicaCount(2);
        Autoscaling.Horizontal horizontal =
                cr.getSpec().getDeployment().getAutoscaling().getHorizontal();
        horizontal.setEnabled(true);
        horizontal.setMaxReplicaCount(7);
        horizontal.getMetrics().setCpuAverageUtilization(70);
        horizontal.getMetrics().setMemoryAverageUtilization(85);
        HorizontalPodAutoscaler hpa = HighAvailability.proxyAutoscaler(cr);
        assertEquals("autoscaling/v2", hpa.getApiVersion());
        assertEquals(Names.PROXY, hpa.getMetadata().getName());
        assertEquals("apps/v1", hpa.getSpec().getScaleTargetRef().getApiVersion());
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals(Names.PROXY, hpa.getSpec().getScaleTargetRef().getName());
        assertEquals(2, hpa.getSpec().getMinReplicas());
        assertEquals(7, hpa.getSpec().getMaxReplicas());
        assertEquals(Map.of("cpu", 70, "memory", 85), targets(hpa));

        assertNull(proxy(cr).getSpec().getReplicas(), "the autoscaler owns proxy-service's count");
        assertEquals(2, tunnel(cr).getSpec().getReplicas(), "tunnel-service is not autoscaled");
    }

    @Test
    void withoutTargetsTheAutoscalerUsesCpuAt80AndMemoryAloneIsPossible() {
        ConnectivityProxy cr = Fixtures.cr();
        Autoscaling.Horizontal horizontal =
                cr.getSpec().getDeployment().getAutoscaling().getHorizontal();
        horizontal.setEnabled(true);
        assertEquals(Map.of("cpu", 80), targets(HighAvailability.proxyAutoscaler(cr)));
        horizontal.getMetrics().setMemoryAverageUtilization(60);
        assertEquals(Map.of("memory", 60), targets(HighAvailability.proxyAutoscaler(cr)));
    }

    @Test
    void anAutoscaledSingleReplicaProxyIsSpreadBecauseItMayGrowButTheTunnelIsNot() {
        ConnectivityProxy cr = Fixtures.cr();
        cr.getSpec().getDeployment().getAutoscaling().getHorizontal().setEnabled(true);
        assertSpread(proxy(cr).getSpec().getTemplate(), proxy(cr).getSpec().getSelector(), Labels.PROXY_SERVICE);
        assertNull(tunnel(cr).getSpec().getTemplate().getSpec().getAffinity());
        assertFalse(
                HighAvailability.replicated(cr), "no budget: at the minimum of one, a budget would block every drain");
    }

    private static void assertSpread(PodTemplateSpec template, LabelSelector selector, String component) {
        PodSpec pod = template.getSpec();
        Map<String, String> podSelector = selector.getMatchLabels();
        assertEquals(Labels.selector(component), podSelector);
        assertTrue(template.getMetadata().getLabels().entrySet().containsAll(podSelector.entrySet()));

        assertEquals(1, pod.getTopologySpreadConstraints().size());
        TopologySpreadConstraint zone = pod.getTopologySpreadConstraints().get(0);
        assertEquals("topology.kubernetes.io/zone", zone.getTopologyKey());
        assertEquals("ScheduleAnyway", zone.getWhenUnsatisfiable());
        assertEquals(1, zone.getMaxSkew());
        assertEquals(podSelector, zone.getLabelSelector().getMatchLabels());

        assertTrue(
                pod.getAffinity()
                        .getPodAntiAffinity()
                        .getRequiredDuringSchedulingIgnoredDuringExecution()
                        .isEmpty(),
                "required anti-affinity would leave replicas pending on a cluster with fewer nodes");
        List<WeightedPodAffinityTerm> preferred =
                pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
        assertEquals(1, preferred.size());
        assertEquals(
                "kubernetes.io/hostname", preferred.get(0).getPodAffinityTerm().getTopologyKey());
        assertEquals(
                podSelector,
                preferred.get(0).getPodAffinityTerm().getLabelSelector().getMatchLabels());
    }

    private static Map<String, Integer> targets(HorizontalPodAutoscaler hpa) {
        Map<String, Integer> targets = new java.util.TreeMap<>();
        for (MetricSpec metric : hpa.getSpec().getMetrics()) {
            assertEquals("Resource", metric.getType());
            assertEquals("Utilization", metric.getResource().getTarget().getType());
            targets.put(
                    metric.getResource().getName(),
                    metric.getResource().getTarget().getAverageUtilization());
        }
        return targets;
    }

    private static Deployment proxy(ConnectivityProxy cr) {
        return Workloads.proxyService(cr, Fixtures.resolved(cr), Fixtures.IMAGES, Fixtures.CLUSTER_TLS_HASH);
    }

    private static StatefulSet tunnel(ConnectivityProxy cr) {
        return Workloads.tunnelService(cr, Fixtures.resolved(cr), Fixtures.IMAGES, Fixtures.CLUSTER_TLS_HASH);
    }
}
