package io.connectivityproxy.operator.model;

import java.util.Optional;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

/**
 * A workload's rollout as its Deployment (proxy-service) or StatefulSet (tunnel-service) reports it.
 *
 * @param component proxy-service or tunnel-service
 * @param exists the workload exists
 * @param desired replicas asked for
 * @param ready ready replicas
 * @param updated replicas running the current pod template
 * @param observed the workload's controller has seen the current generation
 */
public record WorkloadObservation(
        String component, boolean exists, int desired, int ready, int updated, boolean observed) {

    public static WorkloadObservation absent(String component) {
        return new WorkloadObservation(component, false, 0, 0, 0, false);
    }

    public static WorkloadObservation of(String component, Deployment deployment) {
        var status = Optional.ofNullable(deployment.getStatus());
        return of(
                component,
                deployment.getSpec().getReplicas(),
                deployment.getMetadata().getGeneration(),
                status.map(s -> s.getObservedGeneration()),
                status.map(s -> s.getReadyReplicas()),
                status.map(s -> s.getUpdatedReplicas()));
    }

    public static WorkloadObservation of(String component, StatefulSet statefulSet) {
        var status = Optional.ofNullable(statefulSet.getStatus());
        return of(
                component,
                statefulSet.getSpec().getReplicas(),
                statefulSet.getMetadata().getGeneration(),
                status.map(s -> s.getObservedGeneration()),
                status.map(s -> s.getReadyReplicas()),
                status.map(s -> s.getUpdatedReplicas()));
    }

    /** Without a status (the controller has not looked yet) nothing is observed or ready. */
    private static WorkloadObservation of(
            String component,
            Integer replicas,
            Long generation,
            Optional<Long> observedGeneration,
            Optional<Integer> ready,
            Optional<Integer> updated) {
        long current = Optional.ofNullable(generation).orElse(0L);
        return new WorkloadObservation(
                component,
                true,
                Optional.ofNullable(replicas).orElse(1),
                ready.orElse(0),
                updated.orElse(0),
                observedGeneration.orElse(-1L) >= current);
    }

    public boolean isReady() {
        return exists && observed && ready >= desired && updated >= desired;
    }

    String describe() {
        return exists ? component + " " + ready + "/" + desired + " ready" : component + " not created";
    }
}
