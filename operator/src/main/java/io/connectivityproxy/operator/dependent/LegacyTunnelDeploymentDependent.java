package io.connectivityproxy.operator.dependent;

import java.util.HashSet;
import java.util.Set;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.model.Labels;
import io.connectivityproxy.operator.model.Names;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Deleter;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;

/**
 * Deployment {@code connectivity-proxy-tunnel}, which operator versions before the StatefulSet ran
 * tunnel-service in. Never created or changed, only deleted, once the StatefulSet's pods are all
 * ready ({@link TunnelUpgradeConditions.ReplacementNotReady}), so the old pods keep serving
 * connectors until the new ones can (docs/operator.md, Upgrading from a tunnel Deployment).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class LegacyTunnelDeploymentDependent extends KubernetesDependentResource<Deployment, ConnectivityProxy>
        implements Deleter<ConnectivityProxy>, SecondaryToPrimaryMapper<Deployment> {

    private final SecondaryToPrimaryMapper<Deployment> byOwner = Mappers.fromOwnerReferences(ConnectivityProxy.class);
    private final SecondaryToPrimaryMapper<Deployment> byAnnotations =
            Mappers.fromDefaultAnnotations(ConnectivityProxy.class);

    public LegacyTunnelDeploymentDependent() {
        super(Deployment.class);
    }

    /**
     * JOSDK has no default mapping for a dependent it never creates. The older operator gave the
     * Deployment an owner reference and JOSDK's primary annotations; either names the installation.
     */
    @Override
    public Set<ResourceID> toPrimaryResourceIDs(Deployment deployment) {
        Set<ResourceID> installations = new HashSet<>(byOwner.toPrimaryResourceIDs(deployment));
        installations.addAll(byAnnotations.toPrimaryResourceIDs(deployment));
        return installations;
    }

    @Override
    protected ResourceID targetSecondaryResourceID(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return new ResourceID(Names.TUNNEL, primary.getMetadata().getNamespace());
    }
}
