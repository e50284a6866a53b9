package io.connectivityproxy.operator.model.btp;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.connectivityproxy.operator.model.ExternalResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** btp-operator {@code services.cloud.sap.com/v1} ServiceInstance, the fields this operator sets. */
@Group("services.cloud.sap.com")
@Version("v1")
@Kind("ServiceInstance")
@Plural("serviceinstances")
public class ServiceInstance extends ExternalResource<ServiceInstance.Spec> {

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(String serviceOfferingName, String servicePlanName, String externalName) {}
}
