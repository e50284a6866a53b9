package io.connectivityproxy.operator.dependent;

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

/**
 * Deployment {@code connectivity-proxy-tunnel}, which operator versions before the StatefulSet ran
 * tunnel-service in. Never created or changed, only deleted: its reconcile precondition never holds,
 * and it depends on the StatefulSet being ready, so the old pods keep serving connectors until the
 * new ones can (docs/operator.md, Upgrading from a tunnel Deployment).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class LegacyTunnelDeploymentDependent extends KubernetesDependentResource<Deployment, ConnectivityProxy>
        implements Deleter<ConnectivityProxy> {

    public LegacyTunnelDeploymentDependent() {
        super(Deployment.class);
    }

    @Override
    protected ResourceID targetSecondaryResourceID(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return new ResourceID(Names.TUNNEL, primary.getMetadata().getNamespace());
    }
}
