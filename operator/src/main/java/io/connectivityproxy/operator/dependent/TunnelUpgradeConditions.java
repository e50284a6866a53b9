package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.WorkloadObservation;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** Conditions of the move of tunnel-service from a Deployment to the StatefulSet ({@link LegacyTunnelDeploymentDependent}). */
public final class TunnelUpgradeConditions {

    private TunnelUpgradeConditions() {}

    /**
     * Reconcile precondition of the old Deployment: it holds until every replica of the tunnel
     * StatefulSet's current template is ready. While it holds, the Deployment is left as it is (its
     * dependent neither creates nor updates); once it no longer does, JOSDK deletes the Deployment.
     * A precondition rather than {@code dependsOn} the StatefulSet: the StatefulSet has an activation
     * condition, and JOSDK deletes the dependents of an inactive dependent.
     */
    public static class ReplacementNotReady implements Condition<Object, ConnectivityProxy> {
        @Override
        public boolean isMet(
                DependentResource<Object, ConnectivityProxy> dependent,
                ConnectivityProxy primary,
                Context<ConnectivityProxy> context) {
            return context.getSecondaryResources(StatefulSet.class).stream()
                    .filter(statefulSet ->
                            Names.TUNNEL.equals(statefulSet.getMetadata().getName())
                                    && primary.getMetadata()
                                            .getNamespace()
                                            .equals(statefulSet.getMetadata().getNamespace()))
                    .noneMatch(statefulSet -> WorkloadObservation.of(Labels.TUNNEL_SERVICE, statefulSet)
                            .isReady());
        }
    }
}
