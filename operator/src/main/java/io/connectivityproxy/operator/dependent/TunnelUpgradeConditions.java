package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.WorkloadObservation;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** Conditions of the move of tunnel-service from a Deployment to the StatefulSet ({@link LegacyTunnelDeploymentDependent}). */
public final class TunnelUpgradeConditions {

    private TunnelUpgradeConditions() {}

    /** Ready postcondition of the StatefulSet: every replica of the current template is ready. */
    public static class StatefulSetReady implements Condition<StatefulSet, ConnectivityProxy> {
        @Override
        public boolean isMet(
                DependentResource<StatefulSet, ConnectivityProxy> dependent,
                ConnectivityProxy primary,
                Context<ConnectivityProxy> context) {
            return dependent
                    .getSecondaryResource(primary, context)
                    .map(statefulSet -> WorkloadObservation.of(Labels.TUNNEL_SERVICE, statefulSet))
                    .map(WorkloadObservation::isReady)
                    .orElse(false);
        }
    }

    /** Reconcile precondition that never holds: the object is only ever deleted. */
    public static class Retired implements Condition<Object, ConnectivityProxy> {
        @Override
        public boolean isMet(
                DependentResource<Object, ConnectivityProxy> dependent,
                ConnectivityProxy primary,
                Context<ConnectivityProxy> context) {
            return false;
        }
    }
}
