package io.connectivityproxy.tunnel;

import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.connectivityproxy.cluster.ClusterNode;
import io.connectivityproxy.cluster.ReplicaDirectory;
import io.connectivityproxy.protocol.FrameCodec;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The tunnel endpoint: {@code GET /healthcheck} and the connectors' WebSocket at {@code /tunnel}.
 * Authenticates each connector (its client certificate, or the gateway's
 * {@code X-Forwarded-Client-Cert} when trusted) before the upgrade, then hands the socket to a
 * {@link ConnectorSession}.
 */
@Singleton
public class TunnelServer {

    private static final Logger LOG = Logger.getLogger(TunnelServer.class);
    static final String TUNNEL_PATH = "/tunnel";
    /** SAP's health check of the tunnel endpoint, {@code https://healthcheck.<external host>/healthcheck}. */
    static final String HEALTHCHECK_PATH = "/healthcheck";

    static final String FORWARDED_CLIENT_CERT = "X-Forwarded-Client-Cert";
    /** Upgrade response header naming the subaccount tunnel-service authenticated (docs/tunnel-protocol.md). */
    static final String SUBACCOUNT_HEADER = "Connectivity-Subaccount";

    private final Vertx vertx;
    private final TunnelSettings settings;
    private final SessionBroker broker;
    private final ClusterNode node;
    private final TunnelMetrics metrics;
    private final ChannelBridge channelBridge;
    private TunnelTls tls;
    private HttpServer server;
    private volatile boolean listening;
    /** The path of this replica's own URL ({@code tunnel.replica-url}), or {@link #TUNNEL_PATH}. */
    private String replicaPath = TUNNEL_PATH;

    public TunnelServer(
            Vertx vertx,
            TunnelSettings settings,
            SessionBroker broker,
            ClusterNode node,
            TunnelMetrics metrics,
            ChannelBridge channelBridge) {
        this.channelBridge = channelBridge;
        this.vertx = vertx;
        this.settings = settings;
        this.broker = broker;
        this.node = node;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) throws Exception {
        if (!settings.tls().enabled() && !settings.trustForwardedClientCert()) {
            throw new IllegalStateException("tunnel.tls.enabled=false leaves connectors unauthenticated: set "
                    + "tunnel.trust-forwarded-client-cert=true behind a gateway that terminates mutual TLS");
        }
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setMaxWebSocketFrameSize(FrameCodec.HEADER_LENGTH + FrameCodec.MAX_PAYLOAD)
                .setMaxWebSocketMessageSize(FrameCodec.HEADER_LENGTH + FrameCodec.MAX_PAYLOAD)
                // Masking guards plaintext intermediaries against cache poisoning; inside TLS it only
                // costs a pass over every byte, so connectors may send unmasked frames.
                .setAcceptUnmaskedFrames(true)
                .setTcpNoDelay(true)
                .setIdleTimeout(0);
        replicaPath = settings.replicaUrl().map(TunnelServer::replicaPath).orElse(TUNNEL_PATH);
        String security = "behind a gateway, X-Forwarded-Client-Cert trusted";
        if (settings.tls().enabled()) {
            tls = loadTls();
            security = tls.apply(options, settings.tls().openssl());
        }
        broker.start();
        server = vertx.createHttpServer(options).requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        listening = true;
        LOG.infof("tunnel endpoint listening on %s:%d (%s)", settings.host(), server.actualPort(), security);
        // Announced only now: a connector told about this replica can dial it at once.
        settings.replicaUrl().ifPresent(broker::publishReplica);
    }

    /** The path of {@code tunnel.replica-url}, which also takes the tunnel WebSocket; refuses a bad URL. */
    static String replicaPath(String url) {
        ReplicaDirectory.problem(url).ifPresent(problem -> {
            throw new IllegalStateException("tunnel.replica-url '" + url + "': " + problem);
        });
        String path = java.net.URI.create(url).getRawPath();
        return path == null || path.isEmpty() ? TUNNEL_PATH : path;
    }

    void stop(@Observes ShutdownEvent event) {
        if (server == null) {
            return;
        }
        listening = false;
        if (settings.replicaUrl().isPresent()) {
            // Connectors stop dialling this replica before its sessions are told to go away.
            try {
                broker.withdrawReplica();
            } catch (RuntimeException e) {
                LOG.warnf("could not withdraw this replica from the directory: %s", e.getMessage());
            }
        }
        broker.shutdownSessions();
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        while (!broker.sessions().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        broker.closeAll("tunnel-service stopped");
        broker.stop();
        server.close();
    }

    boolean listening() {
        return listening;
    }

    int actualPort() {
        return server == null ? -1 : server.actualPort();
    }

    private TunnelTls loadTls() {
        boolean explicit = settings.tls().certificate().isPresent()
                && settings.tls().key().isPresent()
                && settings.tls().clientCa().isPresent();
        Optional<Path> devDir = explicit ? Optional.empty() : settings.tls().devCertificatesDir();
        devDir.ifPresent(dir -> {
            DevCertificates.ensure(dir, settings.tls().devSubaccount());
            LOG.warnf(
                    "using DEVELOPMENT certificates from %s: configure tunnel.tls.certificate, tunnel.tls.key and "
                            + "tunnel.tls.client-ca for anything but a local trial",
                    dir.toAbsolutePath());
        });
        Path certificate = settings.tls()
                .certificate()
                .or(() -> devDir.map(d -> d.resolve(DevCertificates.SERVER + ".pem")))
                .orElseThrow(() -> new IllegalStateException("tunnel.tls.certificate is required when TLS is on"));
        Path key = settings.tls()
                .key()
                .or(() -> devDir.map(d -> d.resolve(DevCertificates.SERVER + "-key.pem")))
                .orElseThrow(() -> new IllegalStateException("tunnel.tls.key is required when TLS is on"));
        Path clientCa = settings.tls()
                .clientCa()
                .or(() -> devDir.map(d -> d.resolve(DevCertificates.CA + ".pem")))
                .orElseThrow(() -> new IllegalStateException("tunnel.tls.client-ca is required when TLS is on"));
        return TunnelTls.load(certificate, key, clientCa);
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        if (HEALTHCHECK_PATH.equals(path)) {
            // Reachable from the internet without a client certificate (the gateway's healthcheck
            // host): it says up or not, nothing else.
            if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
                request.response()
                        .setStatusCode(405)
                        .putHeader("Allow", "GET, HEAD")
                        .putHeader("Content-Type", "text/plain")
                        .end("only GET and HEAD\n");
                return;
            }
            boolean healthy = listening && node.joined();
            request.response()
                    .setStatusCode(healthy ? 200 : 503)
                    .putHeader("Content-Type", "text/plain")
                    .end(healthy ? "OK\n" : "not ready\n");
        } else if (TUNNEL_PATH.equals(path) || replicaPath.equals(path)) {
            upgrade(request);
        } else {
            request.response()
                    .setStatusCode(404)
                    .putHeader("Content-Type", "text/plain")
                    .end("unknown path; connectors use " + TUNNEL_PATH + "\n");
        }
    }

    private void upgrade(HttpServerRequest request) {
        String peer = String.valueOf(request.remoteAddress());
        Identity identity = authenticate(request);
        if (identity.error() != null) {
            AuditLog.rejected(peer, identity.subject(), identity.error());
            metrics.handshakeRejected();
            request.response()
                    .setStatusCode(401)
                    .putHeader("Content-Type", "text/plain")
                    .end(identity.error() + "\n");
            return;
        }
        if (!listening) {
            request.response().setStatusCode(503).end("tunnel-service is shutting down\n");
            return;
        }
        // Tells the connector which subaccount its certificate names here (connector check reports it).
        request.response().putHeader(SUBACCOUNT_HEADER, identity.subaccount());
        request.toWebSocket()
                .onSuccess(ws -> {
                    ConnectorSession session = new ConnectorSession(
                            vertx, ws, identity.subaccount(), peer, broker, settings, channelBridge);
                    broker.attach(session);
                    session.start();
                })
                .onFailure(e -> LOG.debugf("WebSocket upgrade from %s failed: %s", peer, e.getMessage()));
    }

    /** The connector's subaccount, or why it is refused. */
    private Identity authenticate(HttpServerRequest request) {
        SSLSession ssl = request.sslSession();
        if (ssl != null) {
            X509Certificate[] chain;
            try {
                Certificate[] certificates = ssl.getPeerCertificates();
                chain = new X509Certificate[certificates.length];
                for (int i = 0; i < certificates.length; i++) {
                    chain[i] = (X509Certificate) certificates[i];
                }
            } catch (SSLPeerUnverifiedException e) {
                return Identity.refused(null, "a client certificate is required");
            }
            String subject = chain[0].getSubjectX500Principal().getName();
            String error = tls.verify(chain);
            if (error != null) {
                return Identity.refused(subject, error);
            }
            return subaccountOf(subject);
        }
        if (settings.trustForwardedClientCert()) {
            Optional<String> subject = ClientIdentity.forwardedSubject(request.getHeader(FORWARDED_CLIENT_CERT));
            if (subject.isEmpty()) {
                return Identity.refused(null, "no client certificate subject in " + FORWARDED_CLIENT_CERT);
            }
            return subaccountOf(subject.get());
        }
        return Identity.refused(null, "a client certificate is required");
    }

    private static Identity subaccountOf(String subject) {
        Optional<String> cn = ClientIdentity.commonName(subject);
        if (cn.isEmpty()
                || !io.connectivityproxy.cluster.SessionKey.ID.matcher(cn.get()).matches()
                || cn.get().isEmpty()) {
            return Identity.refused(subject, "the certificate subject must carry the subaccount id as its one CN");
        }
        return new Identity(cn.get(), subject, null);
    }

    private record Identity(String subaccount, String subject, String error) {
        static Identity refused(String subject, String error) {
            return new Identity(null, subject, error);
        }
    }

    Duration drainTimeout() {
        return settings.drainTimeout();
    }
}
