package io.connectivityproxy.operator.dependent;

import jakarta.inject.Inject;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.DependentNames;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.connectivityproxy.operator.model.TlsSecrets;
import io.connectivityproxy.operator.model.Workloads;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** Deployment {@code connectivity-proxy}: proxy-service. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ProxyDeploymentDependent extends OwnedDependent<Deployment> {

    @Inject
    ImagesProvider images;

    public ProxyDeploymentDependent() {
        super(Deployment.class, Names.PROXY);
    }

    @Override
    protected Deployment desired(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return Workloads.proxyService(
                primary,
                InstallationInputs.from(context).resolved(),
                images.get(),
                TlsSecrets.certificateFingerprint(ManagedSecrets.get(
                        primary, context, DependentNames.CLUSTER_TLS_SECRET, Names.CLUSTER_TLS_SECRET)));
    }

    /** An autoscaled proxy-service starts at the autoscaler's minimum rather than the API server's default of 1. */
    @Override
    public Deployment create(Deployment desired, ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        if (desired.getSpec().getReplicas() == null) {
            desired.getSpec().setReplicas(primary.getSpec().getDeployment().getReplicaCount());
        }
        return super.create(desired, primary, context);
    }

    /**
     * An autoscaled proxy-service's desired Deployment has no replicas (the HorizontalPodAutoscaler
     * owns the count). Updates replace the whole object (no server-side apply here), which would
     * reset the count to the API server's default of 1; the live count is kept instead.
     */
    @Override
    public Deployment update(
            Deployment actual, Deployment desired, ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        if (desired.getSpec().getReplicas() == null && actual.getSpec() != null) {
            desired.getSpec().setReplicas(actual.getSpec().getReplicas());
        }
        return super.update(actual, desired, primary, context);
    }
}
