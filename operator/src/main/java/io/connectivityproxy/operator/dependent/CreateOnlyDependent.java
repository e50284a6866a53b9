package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Deleter;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * An object created once and never modified afterwards (not an Updater): CAs, whose replacement
 * would invalidate every issued certificate, and the btp-operator resources SAP says not to touch.
 * The finalizer deletes it.
 */
abstract class CreateOnlyDependent<R extends HasMetadata> extends KubernetesDependentResource<R, ConnectivityProxy>
        implements Creator<R, ConnectivityProxy>, Deleter<ConnectivityProxy> {

    private final String name;

    CreateOnlyDependent(Class<R> type, String name) {
        super(type);
        this.name = name;
    }

    @Override
    protected ResourceID targetSecondaryResourceID(ConnectivityProxy primary, Context<ConnectivityProxy> context) {
        return new ResourceID(name, primary.getMetadata().getNamespace());
    }
}
