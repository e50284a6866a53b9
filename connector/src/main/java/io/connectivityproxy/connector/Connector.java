package io.connectivityproxy.connector;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import io.connectivityproxy.protocol.WindowBudget;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The on-premise connector: loads its YAML configuration, opens the configured number of
 * parallel sessions to tunnel-service, and is ready while at least one is established.
 */
@Readiness
@ApplicationScoped
public class Connector implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(Connector.class);

    private final Vertx vertx;
    private final ConnectorProcessSettings process;
    private final ConnectorMetrics metrics;
    private final List<TunnelSession> sessions = new ArrayList<>();

    public Connector(Vertx vertx, ConnectorProcessSettings process, ConnectorMetrics metrics) {
        this.vertx = vertx;
        this.process = process;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        ConnectorSettings settings;
        try {
            settings = ConfigLoader.load(process.config());
        } catch (ConfigLoader.InvalidConfigException e) {
            // One line that names the file and the field, not a stack trace; exit code 2 = bad config.
            LOG.errorf("invalid configuration: %s", e.getMessage());
            Quarkus.asyncExit(2);
            return;
        }
        LOG.infof("connector %s for subaccount %s, location %s: %d mappings, %d session(s) to %s (TLS: %s)",
                settings.connectorId(), settings.subaccount(),
                settings.locationId().isEmpty() ? "(default)" : settings.locationId(),
                settings.accessControl().mappings().size(), settings.sessions(), settings.tunnelUrl(),
                TunnelSession.usesOpenSsl(settings) ? "BoringSSL" : "JDK engine");
        BackendBridge bridge = new BackendBridge(vertx, settings, metrics);
        RandomGenerator random = new SecureRandom();
        WindowBudget windowBudget = new WindowBudget(settings.windowBudget());
        metrics.windowBudget(windowBudget);
        for (int i = 0; i < settings.sessions(); i++) {
            TunnelSession session = new TunnelSession(vertx, settings, i, bridge, metrics, random, windowBudget);
            sessions.add(session);
            session.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        sessions.forEach(TunnelSession::stop);
    }

    @Override
    public HealthCheckResponse call() {
        int active = metrics.activeSessions();
        return HealthCheckResponse.named("tunnel-sessions").status(active > 0)
                .withData("active", active).withData("configured", sessions.size()).build();
    }
}
