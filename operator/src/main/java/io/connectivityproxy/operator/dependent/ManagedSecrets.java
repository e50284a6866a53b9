package io.connectivityproxy.operator.dependent;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/** Reads a Secret another dependent manages from that dependent's cache (it includes what was just created). */
final class ManagedSecrets {

    private ManagedSecrets() {}

    // Every managed-Secret informer sees all managed Secrets; pick the one of the dependent that owns it.
    @SuppressWarnings("unchecked")
    static Secret get(ConnectivityProxy primary, Context<ConnectivityProxy> context, String dependent, String name) {
        var source = (InformerEventSource<Secret, ConnectivityProxy>)
                context.eventSourceRetriever().getEventSourceFor(Secret.class, dependent);
        return source.get(new ResourceID(name, primary.getMetadata().getNamespace()))
                .orElseThrow(() -> new IllegalStateException("Secret " + name + " is not there yet"));
    }
}
