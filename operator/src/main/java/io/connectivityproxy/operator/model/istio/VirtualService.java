package io.connectivityproxy.operator.model.istio;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.connectivityproxy.operator.model.ExternalResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** Istio {@code networking.istio.io/v1} VirtualService, the fields this operator sets. */
@Group("networking.istio.io")
@Version("v1")
@Kind("VirtualService")
@Plural("virtualservices")
public class VirtualService extends ExternalResource<VirtualService.Spec> {

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(List<String> hosts, List<String> gateways, List<HttpRoute> http) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HttpRoute(String name, List<HttpMatch> match, HttpRewrite rewrite, List<RouteDestination> route) {}

    /** One match condition of a route; a route with matches serves only requests that meet one of them. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HttpMatch(StringMatch uri) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StringMatch(String exact, String prefix) {

        public static StringMatch ofExact(String path) {
            return new StringMatch(path, null);
        }

        public static StringMatch ofPrefix(String path) {
            return new StringMatch(null, path);
        }
    }

    /** Rewrites the matched part of the path (the whole path for an exact match, the prefix for a prefix match). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HttpRewrite(String uri) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RouteDestination(Destination destination) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Destination(String host, PortSelector port) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PortSelector(Integer number) {}
}
