package io.connectivityproxy.operator.model.btp;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.connectivityproxy.operator.model.ExternalResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** btp-operator {@code services.cloud.sap.com/v1} ServiceBinding, the fields this operator sets. */
@Group("services.cloud.sap.com")
@Version("v1")
@Kind("ServiceBinding")
@Plural("servicebindings")
public class ServiceBinding extends ExternalResource<ServiceBinding.Spec> {

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(String serviceInstanceName, String secretName, String externalName) {}
}
