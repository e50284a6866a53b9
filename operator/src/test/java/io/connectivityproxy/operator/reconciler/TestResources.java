package io.connectivityproxy.operator.reconciler;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxySpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** ConnectivityProxy resources as users write them. */
final class TestResources {

    private TestResources() {}

    /** The default resource: everything auto-provisioned, as in SAP's module. */
    static ConnectivityProxy defaultCr(String namespace, String name) {
        ConnectivityProxy cr = new ConnectivityProxy();
        cr.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        cr.setSpec(new ConnectivityProxySpec());
        return cr;
    }
}
