package io.connectivityproxy.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The one installation of the connectivity proxy in a cluster (design.md section 6). */
@Group(ConnectivityProxy.GROUP)
@Version("v1")
@ShortNames("cp")
@AdditionalPrinterColumn(name = "STATE", jsonPath = ".status.state", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "AGE",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class ConnectivityProxy extends CustomResource<ConnectivityProxySpec, ConnectivityProxyStatus>
        implements Namespaced {

    public static final String GROUP = "connectivityproxy.sap.com";

    @Override
    protected ConnectivityProxySpec initSpec() {
        return new ConnectivityProxySpec();
    }

    // No status until the operator writes one: its first status patch then adds the whole object.
    @Override
    protected ConnectivityProxyStatus initStatus() {
        return null;
    }
}
