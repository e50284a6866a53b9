package io.connectivityproxy.operator.api;

import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;

/** {@code spec.deployment}: how the proxy-service and tunnel-service workloads run. */
public class DeploymentConfig {

    /** Replicas of each workload; both join one cluster, so any count works (design.md section 5). */
    @Default("1")
    @Min(1)
    @Max(100)
    private int replicaCount = 1;

    /** Requests and limits of each container; the operator's defaults apply when left out. */
    private ResourceRequirements resources = defaultResources();

    @Default("{}")
    private RestartWatcher restartWatcher = new RestartWatcher();

    @Default("{}")
    @JsonPropertyDescription(
            "Scaling of proxy-service (SAP's deployment.autoscaling); see docs/operator.md, High availability.")
    private Autoscaling autoscaling = new Autoscaling();

    public static ResourceRequirements defaultResources() {
        // Ordered maps: the CRD's default is generated from this, and must come out the same every build.
        Map<String, Quantity> requests = new TreeMap<>();
        requests.put("cpu", new Quantity("100m"));
        requests.put("memory", new Quantity("256Mi"));
        return new ResourceRequirementsBuilder()
                .withRequests(requests)
                .withLimits(new TreeMap<>(Map.of("memory", new Quantity("512Mi"))))
                .build();
    }

    public int getReplicaCount() {
        return replicaCount;
    }

    public void setReplicaCount(int replicaCount) {
        this.replicaCount = replicaCount;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public RestartWatcher getRestartWatcher() {
        return restartWatcher;
    }

    public void setRestartWatcher(RestartWatcher restartWatcher) {
        this.restartWatcher = restartWatcher;
    }

    public Autoscaling getAutoscaling() {
        return autoscaling;
    }

    public void setAutoscaling(Autoscaling autoscaling) {
        this.autoscaling = autoscaling;
    }

    /** {@code spec.deployment.restartWatcher}: roll the workloads when labelled Secrets/ConfigMaps change. */
    public static class RestartWatcher {
        @Default("true")
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
