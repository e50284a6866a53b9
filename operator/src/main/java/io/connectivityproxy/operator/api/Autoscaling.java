package io.connectivityproxy.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** {@code spec.deployment.autoscaling}: scaling of proxy-service, named as in SAP's connectivity-proxy chart. */
public class Autoscaling {

    @Default("{}")
    @JsonPropertyDescription(
            "HorizontalPodAutoscaler (autoscaling/v2) for proxy-service, between replicaCount and maxReplicaCount.")
    private Horizontal horizontal = new Horizontal();

    public Horizontal getHorizontal() {
        return horizontal;
    }

    public void setHorizontal(Horizontal horizontal) {
        this.horizontal = horizontal;
    }

    /** {@code spec.deployment.autoscaling.horizontal}. */
    public static class Horizontal {

        @Default("false")
        @JsonPropertyDescription(
                "Scale proxy-service with a HorizontalPodAutoscaler; the Deployment's replicas are then left to it.")
        private boolean enabled;

        @Default("10")
        @Min(1)
        @Max(100)
        @JsonPropertyDescription(
                "Most proxy-service replicas the autoscaler may run; at least replicaCount, which is the fewest.")
        private int maxReplicaCount = 10;

        @Default("{}")
        @JsonPropertyDescription(
                "What the autoscaler scales on: average utilisation of the containers' requests, in percent.")
        private Metrics metrics = new Metrics();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxReplicaCount() {
            return maxReplicaCount;
        }

        public void setMaxReplicaCount(int maxReplicaCount) {
            this.maxReplicaCount = maxReplicaCount;
        }

        public Metrics getMetrics() {
            return metrics;
        }

        public void setMetrics(Metrics metrics) {
            this.metrics = metrics;
        }
    }

    /** {@code spec.deployment.autoscaling.horizontal.metrics}: the targets; CPU at 80 % when none is set. */
    public static class Metrics {

        /** Used when neither target is set. */
        public static final int DEFAULT_CPU_AVERAGE_UTILIZATION = 80;

        // No schema defaults: a default here could not be removed again, and memory alone must be possible.
        @Min(1)
        @Max(100)
        @JsonPropertyDescription(
                "Target average CPU utilisation in percent of the CPU request (1-100). Unset: not a metric,"
                        + " unless memoryAverageUtilization is unset too, then 80.")
        private Integer cpuAverageUtilization;

        @Min(1)
        @Max(100)
        @JsonPropertyDescription(
                "Target average memory utilisation in percent of the memory request (1-100). Unset: not a metric.")
        private Integer memoryAverageUtilization;

        public Integer getCpuAverageUtilization() {
            return cpuAverageUtilization;
        }

        public void setCpuAverageUtilization(Integer cpuAverageUtilization) {
            this.cpuAverageUtilization = cpuAverageUtilization;
        }

        public Integer getMemoryAverageUtilization() {
            return memoryAverageUtilization;
        }

        public void setMemoryAverageUtilization(Integer memoryAverageUtilization) {
            this.memoryAverageUtilization = memoryAverageUtilization;
        }
    }
}
