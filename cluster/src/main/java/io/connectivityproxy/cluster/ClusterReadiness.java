package io.connectivityproxy.cluster;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once this node has joined the cluster: without it no stream can cross the event bus. */
@Readiness
@ApplicationScoped
public class ClusterReadiness implements HealthCheck {

    private final ClusterNode node;
    private final HazelcastClusterCustomizer cluster;

    public ClusterReadiness(ClusterNode node, HazelcastClusterCustomizer cluster) {
        this.node = node;
        this.cluster = cluster;
    }

    @Override
    public HealthCheckResponse call() {
        boolean joined = node.joined();
        var response = HealthCheckResponse.named("cluster").status(joined);
        if (joined) {
            response.withData("nodeId", node.nodeId())
                    .withData("members", node.members().size())
                    .withData("eventBus", cluster.eventBus());
        }
        return response.build();
    }
}
