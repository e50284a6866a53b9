package io.connectivityproxy.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A service channel target: on-premise clients reach {@code internalAddress} inside the cluster
 * through the connector (design.md sections 1 and 6). Cluster-scoped, as in SAP's module. The operator
 * validates it and writes its status; tunnel-service watches the mappings itself.
 */
@Group(ConnectivityProxy.GROUP)
@Version("v1")
@ShortNames("sm")
@AdditionalPrinterColumn(name = "TYPE", jsonPath = ".spec.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "SERVICE ID", jsonPath = ".spec.serviceId", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "ENDPOINT", jsonPath = ".status.endpoint", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "ACCEPTED",
        jsonPath = ".status.conditions[?(@.type==\"Accepted\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "AGE",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class ServiceMapping extends CustomResource<ServiceMappingSpec, ServiceMappingStatus> {

    // No status until the operator writes one: its first status patch then adds the whole object.
    @Override
    protected ServiceMappingStatus initStatus() {
        return null;
    }
}
