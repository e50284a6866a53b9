package io.connectivityproxy.proxy;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.connectivityproxy.cluster.ClusterNode;
import io.connectivityproxy.cluster.SessionRegistry;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.proxy.auth.ProxyAuthorization;
import io.connectivityproxy.proxy.socks.Socks5Server;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Starts the proxy servers once the node is in the cluster, reports them ready, and serves the
 * read-only admin endpoint {@code GET /admin/streams} on the management port.
 */
@Readiness
@ApplicationScoped
public class ProxyService implements HealthCheck {

    private final Vertx vertx;
    private final ProxySettings settings;
    private final TunnelClient tunnel;
    private final ProxyMetrics metrics;
    private final ClusterNode node;
    private final SessionRegistry registry;
    private HttpProxyServer http;
    private Socks5Server socks5;
    private Socks5Server rfcAndLdap;
    private volatile boolean started;

    public ProxyService(
            Vertx vertx,
            ProxySettings settings,
            TunnelClient tunnel,
            ProxyMetrics metrics,
            ClusterNode node,
            SessionRegistry registry) {
        this.vertx = vertx;
        this.settings = settings;
        this.tunnel = tunnel;
        this.metrics = metrics;
        this.node = node;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) throws Exception {
        checkStreamSettings(settings);
        ProxyAuthorization authorization = Authorizations.create(vertx, settings, metrics::authorizationRefused);
        tunnel.start();
        TcpExchange tcp = new TcpExchange(vertx, tunnel, settings, metrics, authorization);
        if (settings.http().enabled()) {
            http = new HttpProxyServer(vertx, settings, tunnel, metrics, authorization, tcp);
            http.start();
        }
        long handshakeTimeout = settings.socksHandshakeTimeout().toMillis();
        if (settings.socks5().enabled()) {
            boolean required = settings.socks5().authorizationEnabled();
            socks5 = new Socks5Server(
                    vertx,
                    "SOCKS5 proxy",
                    settings.host(),
                    settings.socks5().port(),
                    TargetProtocol.TCP,
                    handshakeTimeout,
                    required,
                    (socket, context, protocol, request, early) ->
                            tcp.socks(socket, context, protocol, request, early, required),
                    metrics::socksRefused);
            socks5.start();
        }
        if (settings.rfcAndLdapEnabled()) {
            // SAP's own protocol on this port is proprietary; ours is SOCKS5 restricted to RFC and LDAP mappings.
            boolean required = settings.rfcAndLdapAuthorizationEnabled();
            rfcAndLdap = new Socks5Server(
                    vertx,
                    "RFC and LDAP proxy (SOCKS5)",
                    settings.host(),
                    settings.rfcAndLdapPort(),
                    TargetProtocol.RFC,
                    handshakeTimeout,
                    required,
                    (socket, context, protocol, request, early) ->
                            tcp.socks(socket, context, protocol, request, early, required),
                    metrics::socksRefused);
            rfcAndLdap.start();
        }
        started = true;
    }

    /** Graceful shutdown: report not ready, let open streams finish up to the drain timeout, then close. */
    /** Refuses window and chunk settings the streams cannot work with, naming the property. */
    static void checkStreamSettings(ProxySettings settings) {
        if (settings.window() < 1024 || settings.window() > 64 * 1024 * 1024) {
            throw new IllegalStateException(
                    "proxy.window must be between 1024 and 67108864 bytes, not " + settings.window());
        }
        if (settings.maxWindow() < settings.window()) {
            throw new IllegalStateException("proxy.max-window (" + settings.maxWindow()
                    + ") must not be below proxy.window (" + settings.window() + ")");
        }
        if (settings.windowBudget() < 0) {
            throw new IllegalStateException("proxy.window-budget must not be negative, not " + settings.windowBudget());
        }
        if (settings.chunkSize() < 512 || settings.chunkSize() > FrameCodec.MAX_PAYLOAD) {
            throw new IllegalStateException("proxy.chunk-size must be between 512 and " + FrameCodec.MAX_PAYLOAD
                    + " bytes, not " + settings.chunkSize());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        started = false;
        long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
        while (tunnel.totalOpenStreams() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (http != null) {
            http.stop();
        }
        if (socks5 != null) {
            socks5.stop();
        }
        if (rfcAndLdap != null) {
            rfcAndLdap.stop();
        }
    }

    void routes(@Observes Router router) {
        router.get("/admin/streams").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(admin().encodePrettily()));
    }

    JsonObject admin() {
        JsonObject streams = new JsonObject();
        tunnel.openStreams().forEach(streams::put);
        JsonObject sessions = new JsonObject();
        registry.snapshot().forEach((key, values) -> sessions.put(key.toString(), new JsonArray(values)));
        return new JsonObject()
                .put("node", node.nodeId())
                .put("members", new JsonArray(node.describeMembers()))
                .put("openStreamsByTunnelNode", streams)
                .put(
                        "suspectedTunnelNodes",
                        new JsonArray(new java.util.ArrayList<>(new java.util.TreeSet<>(tunnel.suspectedNodes()))))
                .put("sessions", sessions)
                .put(
                        "ignoredMembers",
                        new JsonArray(
                                registry.ignored().stream().map(m -> m.toJson()).toList()));
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("proxy-servers").status(started);
        if (http != null) {
            response.withData("http", http.port());
        }
        if (socks5 != null) {
            response.withData("socks5", socks5.port());
        }
        if (rfcAndLdap != null) {
            response.withData("rfcAndLdap", rfcAndLdap.port());
        }
        return response.build();
    }
}
