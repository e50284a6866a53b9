package io.connectivityproxy.connector;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

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
import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.CommandLineArguments;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The on-premise connector: loads its YAML configuration, opens the configured number of
 * parallel sessions to tunnel-service, starts the service channels' listeners, and is ready
 * while at least one session is established. With protocol version 4 tunnel-service announces
 * its replicas and their URLs; the connector then also dials every announced replica that none
 * of its established sessions is on, and drops those extra sessions when their replica leaves,
 * so that it holds a session to every replica without relying on the load balancer's luck.
 */
@Readiness
@ApplicationScoped
public class Connector implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(Connector.class);

    private final Vertx vertx;
    private final ConnectorProcessSettings process;
    private final ConnectorMetrics metrics;
    private final boolean checkMode;
    private final List<TunnelSession> sessions = new CopyOnWriteArrayList<>();
    /** Sessions dialled to one announced replica's URL, by replica id; changed on {@link #context} only. */
    private final Map<String, TunnelSession> replicaSessions = new HashMap<>();
    /** The replicas last announced by tunnel-service (version 4), in {@link #context} only. */
    private volatile List<io.connectivityproxy.protocol.Frame.Replica> announced = List.of();
    /** Built at the start, for the sessions made later for announced replicas. */
    private SessionFactory sessionFactory;
    /** The index the next session gets (log lines and status pages tell sessions apart by it). */
    private final java.util.concurrent.atomic.AtomicInteger nextIndex = new java.util.concurrent.atomic.AtomicInteger();
    /** The service channels, including removed ones that still carry connections; changed on {@link #context} only. */
    private final List<ServiceChannel> channels = new CopyOnWriteArrayList<>();

    private Context context;
    /** What the process was started with: the sessions, TLS and backend clients are built from it. */
    private volatile ConnectorSettings started;
    /** What is in force now: the access control list and channels of the last valid file. */
    private volatile ConnectorSettings applied;

    private volatile ConfigWatcher watcher;
    private volatile ConnectorCheck.Report lastCheck;
    private volatile int exitCode;

    public Connector(
            Vertx vertx,
            ConnectorProcessSettings process,
            ConnectorMetrics metrics,
            @CommandLineArguments String[] args) {
        this.vertx = vertx;
        this.process = process;
        this.metrics = metrics;
        this.checkMode = ConnectorMain.isCheck(args);
    }

    void start(@Observes StartupEvent event) {
        if (checkMode) {
            // connector check: ConnectorMain runs the checks; no session, listener or watcher.
            return;
        }
        ConnectorSettings settings;
        byte[] content;
        try {
            content = readFile(process.config());
            settings = ConfigLoader.load(process.config());
        } catch (ConfigLoader.InvalidConfigException e) {
            // One line that names the file and the field, not a stack trace; exit code 2 = bad config.
            LOG.errorf("invalid configuration: %s", e.getMessage());
            exitCode = 2;
            Quarkus.asyncExit(2);
            return;
        }
        started = settings;
        applied = settings;
        context = vertx.getOrCreateContext();
        LOG.infof(
                "connector %s for subaccount %s, location %s: %d mappings, %d service channel(s), %d session(s) "
                        + "to %s (TLS: %s), protocol version %d",
                settings.connectorId(),
                settings.subaccount(),
                settings.locationId().isEmpty() ? "(default)" : settings.locationId(),
                settings.accessControl().mappings().size(),
                settings.serviceChannels().size(),
                settings.sessions(),
                settings.tunnelUrl(),
                TunnelSession.usesOpenSsl(settings) ? "BoringSSL" : "JDK engine",
                settings.protocolVersion());
        if (settings.openssl() && !TunnelSession.usesOpenSsl(settings)) {
            // tunnel.openssl (default true) asked for BoringSSL: say why the JDK's engine runs instead.
            LOG.infof(
                    "TLS: BoringSSL (netty-tcnative) %s; the tunnel uses the JDK's TLS engine",
                    ImageMode.current().isNativeImage()
                            ? "is not in native executables"
                            : "has no build for this platform");
        }
        PrincipalPropagation principals = null;
        if (settings.principalPropagation() != null) {
            try {
                principals = PrincipalPropagation.start(
                        settings.principalPropagation(), settings.connectorId(), Clock.systemUTC());
            } catch (IllegalArgumentException | IllegalStateException e) {
                LOG.errorf("invalid configuration: %s: %s", process.config(), e.getMessage());
                Quarkus.asyncExit(2);
                return;
            }
            metrics.principalCertificates(principals.certificates());
            LOG.infof(
                    "principal propagation: %d trusted issuer(s), user certificates for %s signed by %s (%s)",
                    settings.principalPropagation().issuers().size(),
                    settings.principalPropagation().certificateValidity(),
                    principals
                            .authority()
                            .certificate()
                            .getSubjectX500Principal()
                            .getName(),
                    settings.principalPropagation().caCertificate());
        }
        BackendBridge bridge = new BackendBridge(vertx, settings, metrics, principals);
        RandomGenerator random = new SecureRandom();
        WindowBudget windowBudget = new WindowBudget(settings.windowBudget());
        metrics.windowBudget(windowBudget);
        TunnelSession.ReplicaListener listener = new TunnelSession.ReplicaListener() {
            @Override
            public void announced(TunnelSession session, io.connectivityproxy.protocol.Frame.Replicas replicas) {
                context.runOnContext(v -> {
                    announced = replicas.replicas();
                    reconcileReplicas();
                });
            }

            @Override
            public void lost(TunnelSession session) {
                context.runOnContext(v -> reconcileReplicas());
            }
        };
        sessionFactory = (index, url, replica) -> new TunnelSession(
                vertx,
                settings,
                index,
                bridge,
                metrics,
                random,
                windowBudget,
                () -> applied.accessControl(),
                url,
                replica,
                listener);
        for (int i = 0; i < settings.sessions(); i++) {
            TunnelSession session = sessionFactory.create(nextIndex.getAndIncrement(), settings.tunnelUrl(), null);
            sessions.add(session);
            session.start();
        }
        for (ChannelSettings channel : settings.serviceChannels()) {
            ServiceChannel serviceChannel = new ServiceChannel(vertx, channel, this::openChannel, metrics);
            channels.add(serviceChannel);
            serviceChannel.start();
        }
        ConfigWatcher configWatcher = new ConfigWatcher(
                vertx,
                process.config(),
                process.configPollInterval(),
                content,
                next -> context.runOnContext(v -> apply(next)),
                metrics);
        watcher = configWatcher;
        configWatcher.start();
        runChecks();
    }

    /** Makes a session: its index, where it dials, and the replica it is for (null for tunnel.url). */
    private interface SessionFactory {
        TunnelSession create(int index, java.net.URI url, String replica);
    }

    /**
     * Brings the sessions in line with the replicas announced last (on {@link #context}): a
     * replica that no established session is on, and that no session is dialling yet, gets a
     * session to its URL; a session made for a replica that is no longer announced (or now has
     * another URL) goes away, letting its open streams finish. Sessions to tunnel.url stay.
     */
    private void reconcileReplicas() {
        if (sessionFactory == null || sessions.stream().allMatch(s -> s.state() == TunnelSession.State.STOPPED)) {
            return;
        }
        Map<String, java.net.URI> wanted = new java.util.LinkedHashMap<>();
        for (io.connectivityproxy.protocol.Frame.Replica replica : announced) {
            java.net.URI url;
            try {
                url = new java.net.URI(replica.url());
            } catch (java.net.URISyntaxException e) {
                LOG.warnf(
                        "tunnel-service announced replica %s at '%s', which is not a URL", replica.id(), replica.url());
                continue;
            }
            if (!"wss".equals(url.getScheme()) || url.getHost() == null) {
                LOG.warnf("tunnel-service announced replica %s at %s, which is not a wss:// URL", replica.id(), url);
                continue;
            }
            wanted.put(replica.id(), url);
        }
        for (var it = replicaSessions.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            java.net.URI url = wanted.get(entry.getKey());
            if (url == null || !url.equals(entry.getValue().url())) {
                TunnelSession session = entry.getValue();
                LOG.infof(
                        "session %d: replica %s %s; the session goes away once its streams are done",
                        session.index(), entry.getKey(), url == null ? "is no longer announced" : "moved to " + url);
                it.remove();
                sessions.remove(session);
                session.stop();
            }
        }
        java.util.Set<String> covered = new java.util.HashSet<>();
        for (TunnelSession session : sessions) {
            String on = session.replicaId();
            if (on != null) {
                covered.add(on);
            }
        }
        wanted.forEach((replica, url) -> {
            if (covered.contains(replica) || replicaSessions.containsKey(replica)) {
                return;
            }
            int index = nextIndex.getAndIncrement();
            LOG.infof(
                    "replica %s at %s has no session from this connector: dialling it (session %d)",
                    replica, url, index);
            TunnelSession session = sessionFactory.create(index, url, replica);
            replicaSessions.put(replica, session);
            sessions.add(session);
            session.start();
        });
    }

    private static byte[] readFile(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            // ConfigLoader.load names the file and the cause.
            return new byte[0];
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (watcher != null) {
            watcher.stop();
        }
        // Stop taking on-premise connections first; the sessions then drain what is open.
        channels.forEach(ServiceChannel::stop);
        sessions.forEach(TunnelSession::stop);
    }

    /**
     * Applies a changed, valid file (on {@link #context}): the access control list for every
     * stream opened from now on, and the service channels (see {@link #applyChannels}). The
     * fields only a restart applies are reported, not ignored.
     */
    private void apply(ConnectorSettings next) {
        ConfigChange change = ConfigChange.between(started, applied, next);
        applied = next;
        if (change.serviceChannelsChanged()) {
            applyChannels(next.serviceChannels());
        }
        List<String> before = watcher.status().needRestart();
        watcher.needRestart(change.needRestart());
        metrics.configRestartRequired(!change.needRestart().isEmpty());
        LOG.infof(
                "configuration applied from %s: access control list %s (%d entries), service channels %s (%d)",
                process.config(),
                change.accessControlChanged() ? "changed" : "unchanged",
                next.accessControl().mappings().size(),
                change.serviceChannelsChanged() ? "changed" : "unchanged",
                next.serviceChannels().size());
        if (!change.needRestart().isEmpty() && !change.needRestart().equals(before)) {
            LOG.warnf(
                    "%s changes %s, which only a restart applies; until then the values the connector started "
                            + "with stay in force",
                    process.config(), String.join(", ", change.needRestart()));
        }
        if (change.appliesAnything()) {
            runChecks();
        }
    }

    /**
     * Brings the channels in line with the file. An entry whose listen address is already served
     * keeps that listener and takes the new settings for new connections; a new address starts
     * listening; a listener whose entry is gone (or disabled) refuses new connections, lets its
     * open ones finish, and then closes (see {@link ServiceChannel#retire}).
     */
    private void applyChannels(List<ChannelSettings> wanted) {
        Map<String, ServiceChannel> listening = new HashMap<>();
        for (ServiceChannel channel : channels) {
            if (channel.settings().enabled()) {
                listening.put(channel.settings().listenAddress(), channel);
            }
        }
        List<ServiceChannel> keep = new ArrayList<>();
        List<ChannelSettings> toStart = new ArrayList<>();
        for (ChannelSettings settings : wanted) {
            ServiceChannel existing = settings.enabled() ? listening.remove(settings.listenAddress()) : null;
            if (existing == null) {
                toStart.add(settings);
                continue;
            }
            if (!existing.settings().equals(settings) || existing.retiring()) {
                existing.update(settings);
            }
            keep.add(existing);
        }
        for (ServiceChannel channel : channels) {
            if (!keep.contains(channel) && !channel.retiring()) {
                channel.retire(() -> context.runOnContext(v -> channels.remove(channel)));
            }
        }
        for (ChannelSettings settings : toStart) {
            ServiceChannel channel = new ServiceChannel(vertx, settings, this::openChannel, metrics);
            channels.add(channel);
            channel.start();
        }
    }

    /** Runs the connector doctor's backend and tunnel checks on a worker thread, for the status page. */
    private void runChecks() {
        if (!process.checks()) {
            return;
        }
        ConnectorSettings settings = applied;
        vertx.executeBlocking(() -> new ConnectorCheck(vertx, java.time.Clock.systemUTC()).run(settings, true), false)
                .onSuccess(results -> {
                    lastCheck = new ConnectorCheck.Report(java.time.Instant.now(), results);
                    long failed = lastCheck.failures();
                    if (failed > 0) {
                        LOG.warnf(
                                "connector check: %d of %d checks failed; see /admin/status or run the executable "
                                        + "with 'check'",
                                failed, results.size());
                    }
                })
                .onFailure(e -> LOG.warnf("connector check could not run: %s", e.getMessage()));
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
            return Future.failedFuture(
                    new StreamException(Reason.NO_SESSION, "no tunnel session to tunnel-service is established"));
        }
        return best.openChannel(context, type, serviceId);
    }

    List<ServiceChannel> channels() {
        return List.copyOf(channels);
    }

    /** The settings in force now (null before a valid file was read). */
    ConnectorSettings settings() {
        return applied;
    }

    /** The file's state against what is in force (null before the connector started). */
    ConfigWatcher.Status configStatus() {
        ConfigWatcher configWatcher = watcher;
        return configWatcher == null ? null : configWatcher.status();
    }

    java.nio.file.Path configFile() {
        return process.config();
    }

    /** The last run of the connector doctor's checks, or null before the first has finished. */
    ConnectorCheck.Report lastCheck() {
        return lastCheck;
    }

    ConnectorMetrics metrics() {
        return metrics;
    }

    /** The process's exit code: 2 after an invalid file at the start. */
    int exitCode() {
        return exitCode;
    }

    List<TunnelSession> sessions() {
        return List.copyOf(sessions);
    }

    @Override
    public HealthCheckResponse call() {
        int active = metrics.activeSessions();
        var response = HealthCheckResponse.named("tunnel-sessions")
                .status(active > 0)
                .withData("active", active)
                .withData("configured", sessions.size());
        long onReplicas = sessions.stream()
                .map(TunnelSession::replicaId)
                .filter(java.util.Objects::nonNull)
                .distinct()
                .count();
        List<io.connectivityproxy.protocol.Frame.Replica> replicas = announced;
        if (!replicas.isEmpty()) {
            response.withData(
                    "replicas",
                    replicas.size() + " tunnel-service replica(s) announced, " + onReplicas + " with a session");
        }
        for (ServiceChannel channel : channels) {
            response.withData("channel " + channel.settings().describe(), channel.status());
        }
        ConfigWatcher.Status config = configStatus();
        if (config != null) {
            response.withData(
                    "config",
                    config.state() == ConfigWatcher.State.IN_FORCE
                            ? "the file on disk is in force (" + process.config() + ")"
                            : "the file on disk is not in force: " + config.problem() + "; the configuration read at "
                                    + config.appliedAt() + " stays in force");
            if (!config.needRestart().isEmpty()) {
                response.withData(
                        "needsRestart",
                        "the file in force changes " + String.join(", ", config.needRestart())
                                + ": a restart applies them");
            }
        }
        return response.build();
    }
}
