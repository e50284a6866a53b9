package io.connectivityproxy.tunnel;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the tunnel endpoint accepts connectors (the cluster check is separate). */
@Readiness
@ApplicationScoped
public class TunnelReadiness implements HealthCheck {

    private final TunnelServer server;

    public TunnelReadiness(TunnelServer server) {
        this.server = server;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("tunnel-endpoint")
                .status(server.listening())
                .withData("port", server.actualPort())
                .build();
    }
}
