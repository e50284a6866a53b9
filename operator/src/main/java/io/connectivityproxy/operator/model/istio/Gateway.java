package io.connectivityproxy.operator.model.istio;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.connectivityproxy.operator.model.ExternalResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** Istio {@code networking.istio.io/v1} Gateway, the fields this operator sets. */
@Group("networking.istio.io")
@Version("v1")
@Kind("Gateway")
@Plural("gateways")
public class Gateway extends ExternalResource<Gateway.Spec> {

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(Map<String, String> selector, List<Server> servers) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Server(Port port, List<String> hosts, Tls tls) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Port(Integer number, String name, String protocol) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tls(String mode, String credentialName, String minProtocolVersion) {}
}
