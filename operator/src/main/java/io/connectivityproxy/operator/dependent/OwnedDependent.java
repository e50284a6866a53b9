package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDNoGCKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * An object the operator creates, keeps as desired, and deletes itself in the finalizer (owner
 * references are set too where Kubernetes allows them, but the operator does not rely on them:
 * the namespace may differ, and deletion must be complete when the finalizer is removed).
 */
abstract class OwnedDependent<R extends HasMetadata> extends CRUDNoGCKubernetesDependentResource<R, ConnectivityProxy> {

    private final String name;

    OwnedDependent(Class<R> type, String name) {
        super(type);
        this.name = name;
    }

    /** The namespace the object lives in; the installation's unless overridden, null for a cluster-scoped object. */
    protected String namespaceOf(ConnectivityProxy primary) {
        return primary.getMetadata().getNamespace();
    }

    // The id is fixed, so finding the actual object never needs the desired state (which may need inputs).
    @Override
    protected ResourceID targetSecondaryResourceID(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return new ResourceID(name, namespaceOf(primary));
    }
}
