package io.connectivityproxy.connector;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import io.connectivityproxy.connector.principal.PrincipalPropagation;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.protocol.WindowBudget;
import io.connectivityproxy.stream.StreamException;
import io.connectivityproxy.stream.TunnelStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The on-premise connector: loads its YAML configuration, opens the configured number of
 * parallel sessions to tunnel-service, starts the service channels' listeners, and is ready
 * while at least one session is established.
 */
@Readiness
@ApplicationScoped
public class Connector implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(Connector.class);

    private final Vertx vertx;
    private final ConnectorProcessSettings process;
    private final ConnectorMetrics metrics;
    private final List<TunnelSession> sessions = new ArrayList<>();
    private final List<ServiceChannel> channels = new ArrayList<>();

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
        LOG.infof("connector %s for subaccount %s, location %s: %d mappings, %d service channel(s), %d session(s) "
                + "to %s (TLS: %s), protocol version %d",
                settings.connectorId(), settings.subaccount(),
                settings.locationId().isEmpty() ? "(default)" : settings.locationId(),
                settings.accessControl().mappings().size(), settings.serviceChannels().size(), settings.sessions(),
                settings.tunnelUrl(), TunnelSession.usesOpenSsl(settings) ? "BoringSSL" : "JDK engine",
                settings.protocolVersion());
        if (settings.openssl() && !TunnelSession.usesOpenSsl(settings)) {
            // tunnel.openssl (default true) asked for BoringSSL: say why the JDK's engine runs instead.
            LOG.infof("TLS: BoringSSL (netty-tcnative) %s; the tunnel uses the JDK's TLS engine",
                    ImageMode.current().isNativeImage() ? "is not in native executables"
                            : "has no build for this platform");
        }
        PrincipalPropagation principals = null;
        if (settings.principalPropagation() != null) {
            try {
                principals = PrincipalPropagation.start(settings.principalPropagation(), settings.connectorId(),
                        Clock.systemUTC());
            } catch (IllegalArgumentException | IllegalStateException e) {
                LOG.errorf("invalid configuration: %s: %s", process.config(), e.getMessage());
                Quarkus.asyncExit(2);
                return;
            }
            metrics.principalCertificates(principals.certificates());
            LOG.infof("principal propagation: %d trusted issuer(s), user certificates for %s signed by %s (%s)",
                    settings.principalPropagation().issuers().size(), settings.principalPropagation()
                            .certificateValidity(),
                    principals.authority().certificate().getSubjectX500Principal().getName(),
                    settings.principalPropagation().caCertificate());
        }
        BackendBridge bridge = new BackendBridge(vertx, settings, metrics, principals);
        RandomGenerator random = new SecureRandom();
        WindowBudget windowBudget = new WindowBudget(settings.windowBudget());
        metrics.windowBudget(windowBudget);
        for (int i = 0; i < settings.sessions(); i++) {
            TunnelSession session = new TunnelSession(vertx, settings, i, bridge, metrics, random, windowBudget);
            sessions.add(session);
            session.start();
        }
        for (ChannelSettings channel : settings.serviceChannels()) {
            ServiceChannel serviceChannel = new ServiceChannel(vertx, channel, this::openChannel, metrics);
            channels.add(serviceChannel);
            serviceChannel.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        // Stop taking on-premise connections first; the sessions then drain what is open.
        channels.forEach(ServiceChannel::stop);
        sessions.forEach(TunnelSession::stop);
    }

    /** Opens a service-channel stream on the least loaded established session. */
    private Future<TunnelStream> openChannel(Context context, TargetProtocol type, String serviceId) {
        TunnelSession best = null;
        for (TunnelSession session : sessions) {
            int load = session.load();
            if (load >= 0 && (best == null || load < best.load())) {
                best = session;
            }
        }
        if (best == null) {
            return Future.failedFuture(new StreamException(Reason.NO_SESSION,
                    "no tunnel session to tunnel-service is established"));
        }
        return best.openChannel(context, type, serviceId);
    }

    List<ServiceChannel> channels() {
        return List.copyOf(channels);
    }

    List<TunnelSession> sessions() {
        return List.copyOf(sessions);
    }

    @Override
    public HealthCheckResponse call() {
        int active = metrics.activeSessions();
        var response = HealthCheckResponse.named("tunnel-sessions").status(active > 0)
                .withData("active", active).withData("configured", sessions.size());
        for (ServiceChannel channel : channels) {
            response.withData("channel " + channel.settings().describe(), channel.status());
        }
        return response.build();
    }
}
