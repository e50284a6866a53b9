package io.connectivityproxy.operator.model;

import java.util.ArrayList;
import java.util.List;

import io.connectivityproxy.operator.api.Autoscaling;
import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

/**
 * What {@code spec.deployment.replicaCount} > 1 and {@code spec.deployment.autoscaling.horizontal}
 * add to an installation (docs/operator.md, High availability): a PodDisruptionBudget per
 * workload, spreading of the pods over zones and nodes, and a HorizontalPodAutoscaler for
 * proxy-service. A single-replica installation gets none of it, so its objects stay as they were.
 */
public final class HighAvailability {

    public static final String ZONE_KEY = "topology.kubernetes.io/zone";
    public static final String HOSTNAME_KEY = "kubernetes.io/hostname";

    private HighAvailability() {}

    /** More than one replica of each workload is asked for: the PodDisruptionBudgets exist. */
    public static boolean replicated(ConnectivityProxy cr) {
        return cr.getSpec().getDeployment().getReplicaCount() > 1;
    }

    /** proxy-service is scaled by a HorizontalPodAutoscaler. */
    public static boolean proxyAutoscaled(ConnectivityProxy cr) {
        return horizontal(cr).isEnabled();
    }

    /** Pods of {@code component} may run more than one at a time, so they are spread. */
    static boolean spread(ConnectivityProxy cr, String component) {
        return replicated(cr) || (Labels.PROXY_SERVICE.equals(component) && proxyAutoscaled(cr));
    }

    /**
     * The workload's {@code spec.replicas}; null for an autoscaled proxy-service, whose count
     * belongs to the HorizontalPodAutoscaler (the dependent keeps the live value on updates).
     */
    static Integer replicas(ConnectivityProxy cr, String component) {
        if (Labels.PROXY_SERVICE.equals(component) && proxyAutoscaled(cr)) {
            return null;
        }
        return cr.getSpec().getDeployment().getReplicaCount();
    }

    /**
     * At most one pod of the workload may be evicted at a time (node drains, cluster upgrades).
     * maxUnavailable rather than minAvailable, so that it stays right while the autoscaler moves
     * the replica count.
     */
    public static PodDisruptionBudget disruptionBudget(ConnectivityProxy cr, String name, String component) {
        return ObjectMetas.withContentHash(new PodDisruptionBudgetBuilder()
                .withMetadata(ObjectMetas.owned(cr, name, component))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(Labels.selector(component))
                .endSelector()
                .endSpec()
                .build());
    }

    /** HorizontalPodAutoscaler {@code connectivity-proxy}: proxy-service between replicaCount and maxReplicaCount. */
    public static HorizontalPodAutoscaler proxyAutoscaler(ConnectivityProxy cr) {
        Autoscaling.Horizontal horizontal = horizontal(cr);
        return ObjectMetas.withContentHash(new HorizontalPodAutoscalerBuilder()
                .withMetadata(ObjectMetas.owned(cr, Names.PROXY, Labels.PROXY_SERVICE))
                .withNewSpec()
                .withNewScaleTargetRef()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName(Names.PROXY)
                .endScaleTargetRef()
                .withMinReplicas(cr.getSpec().getDeployment().getReplicaCount())
                .withMaxReplicas(horizontal.getMaxReplicaCount())
                .withMetrics(metrics(horizontal.getMetrics()))
                .endSpec()
                .build());
    }

    /**
     * One pod per zone as far as the zones allow, but never unschedulable because of it
     * (ScheduleAnyway): a single-zone cluster must still run every replica.
     */
    static List<TopologySpreadConstraint> zoneSpread(String component) {
        return List.of(new TopologySpreadConstraintBuilder()
                .withMaxSkew(1)
                .withTopologyKey(ZONE_KEY)
                .withWhenUnsatisfiable("ScheduleAnyway")
                .withNewLabelSelector()
                .withMatchLabels(Labels.selector(component))
                .endLabelSelector()
                .build());
    }

    /** Preferably not two pods of the workload on one node; preferred, so that small clusters still schedule them. */
    static Affinity nodeAntiAffinity(String component) {
        return new AffinityBuilder()
                .withNewPodAntiAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution()
                .withWeight(100)
                .withNewPodAffinityTerm()
                .withTopologyKey(HOSTNAME_KEY)
                .withNewLabelSelector()
                .withMatchLabels(Labels.selector(component))
                .endLabelSelector()
                .endPodAffinityTerm()
                .endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity()
                .build();
    }

    private static List<MetricSpec> metrics(Autoscaling.Metrics metrics) {
        List<MetricSpec> specs = new ArrayList<>();
        if (metrics.getCpuAverageUtilization() != null) {
            specs.add(utilization("cpu", metrics.getCpuAverageUtilization()));
        }
        if (metrics.getMemoryAverageUtilization() != null) {
            specs.add(utilization("memory", metrics.getMemoryAverageUtilization()));
        }
        if (specs.isEmpty()) {
            specs.add(utilization("cpu", Autoscaling.Metrics.DEFAULT_CPU_AVERAGE_UTILIZATION));
        }
        return specs;
    }

    private static MetricSpec utilization(String resource, int percent) {
        return new MetricSpecBuilder()
                .withType("Resource")
                .withNewResource()
                .withName(resource)
                .withNewTarget()
                .withType("Utilization")
                .withAverageUtilization(percent)
                .endTarget()
                .endResource()
                .build();
    }

    private static Autoscaling.Horizontal horizontal(ConnectivityProxy cr) {
        return cr.getSpec().getDeployment().getAutoscaling().getHorizontal();
    }
}
