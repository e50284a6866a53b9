package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.HighAvailability;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Reconcile preconditions of the high-availability dependents. Unlike an activation condition, an
 * unmet precondition deletes the object, which is what scaling back to one replica or turning the
 * autoscaler off must do.
 */
public final class HighAvailabilityConditions {

    private HighAvailabilityConditions() {}

    /** {@code spec.deployment.replicaCount} > 1. */
    public static class Replicated implements Condition<Object, ConnectivityProxy> {
        @Override
        public boolean isMet(
                DependentResource<Object, ConnectivityProxy> dependent,
                ConnectivityProxy primary,
                Context<ConnectivityProxy> context) {
            return HighAvailability.replicated(primary);
        }
    }

    /** {@code spec.deployment.autoscaling.horizontal.enabled}. */
    public static class ProxyAutoscaled implements Condition<Object, ConnectivityProxy> {
        @Override
        public boolean isMet(
                DependentResource<Object, ConnectivityProxy> dependent,
                ConnectivityProxy primary,
                Context<ConnectivityProxy> context) {
            return HighAvailability.proxyAutoscaled(primary);
        }
    }
}
