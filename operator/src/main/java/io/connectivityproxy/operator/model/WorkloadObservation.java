package io.connectivityproxy.operator.model;

/**
 * A workload's rollout as its Deployment reports it.
 *
 * @param component proxy-service or tunnel-service
 * @param exists the Deployment exists
 * @param desired replicas asked for
 * @param ready ready replicas
 * @param updated replicas running the current pod template
 * @param observed the Deployment controller has seen the current generation
 */
public record WorkloadObservation(
        String component, boolean exists, int desired, int ready, int updated, boolean observed) {

    public static WorkloadObservation absent(String component) {
        return new WorkloadObservation(component, false, 0, 0, 0, false);
    }

    public boolean isReady() {
        return exists && observed && ready >= desired && updated >= desired;
    }

    String describe() {
        return exists ? component + " " + ready + "/" + desired + " ready" : component + " not created";
    }
}
