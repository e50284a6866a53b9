package io.connectivityproxy.operator.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the status of one ConnectivityProxy is computed from.
 *
 * @param generation the resource's metadata.generation
 * @param activeInstance when this is a second resource: the namespace/name of the one that is installed
 * @param violations spec violations, each naming its field
 * @param facts cluster facts (null when the installation was not attempted)
 * @param resolved resolved settings (null when the installation was not attempted)
 * @param failedDependents name of each dependent that failed, with the error
 * @param present which created objects exist, by dependent name
 * @param proxyService proxy-service rollout
 * @param tunnelService tunnel-service rollout
 * @param serviceChannels whether service channels are on, and which ServiceMappings exist
 */
public record Observation(
        long generation,
        Optional<String> activeInstance,
        List<String> violations,
        ClusterFacts facts,
        ResolvedConfig resolved,
        Map<String, String> failedDependents,
        Map<String, Boolean> present,
        WorkloadObservation proxyService,
        WorkloadObservation tunnelService,
        ServiceChannelObservation serviceChannels) {

    public static Observation duplicate(long generation, String activeInstance) {
        return new Observation(
                generation,
                Optional.of(activeInstance),
                List.of(),
                null,
                null,
                Map.of(),
                Map.of(),
                WorkloadObservation.absent(Labels.PROXY_SERVICE),
                WorkloadObservation.absent(Labels.TUNNEL_SERVICE),
                ServiceChannelObservation.NOT_OBSERVED);
    }

    public static Observation invalid(long generation, List<String> violations) {
        return new Observation(
                generation,
                Optional.empty(),
                violations,
                null,
                null,
                Map.of(),
                Map.of(),
                WorkloadObservation.absent(Labels.PROXY_SERVICE),
                WorkloadObservation.absent(Labels.TUNNEL_SERVICE),
                ServiceChannelObservation.NOT_OBSERVED);
    }

    boolean isPresent(String dependent) {
        return present.getOrDefault(dependent, false);
    }
}
