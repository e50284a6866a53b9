package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.HighAvailability;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** PodDisruptionBudget {@code connectivity-proxy-tunnel}: tunnel-service, while replicaCount > 1. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class TunnelDisruptionBudgetDependent extends OwnedDependent<PodDisruptionBudget> {

    public TunnelDisruptionBudgetDependent() {
        super(PodDisruptionBudget.class, Names.TUNNEL);
    }

    @Override
    protected PodDisruptionBudget desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return HighAvailability.disruptionBudget(primary, Names.TUNNEL, Labels.TUNNEL_SERVICE);
    }
}
