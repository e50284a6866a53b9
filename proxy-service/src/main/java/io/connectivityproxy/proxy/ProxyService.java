package io.connectivityproxy.proxy;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.connectivityproxy.cluster.ClusterNode;
import io.connectivityproxy.cluster.SessionRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

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
    private volatile boolean started;

    public ProxyService(Vertx vertx, ProxySettings settings, TunnelClient tunnel, ProxyMetrics metrics,
            ClusterNode node, SessionRegistry registry) {
        this.vertx = vertx;
        this.settings = settings;
        this.tunnel = tunnel;
        this.metrics = metrics;
        this.node = node;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) throws Exception {
        tunnel.start();
        if (settings.http().enabled()) {
            http = new HttpProxyServer(vertx, settings, tunnel, metrics);
            http.start();
        }
        started = true;
    }

    /** Graceful shutdown: report not ready, let open streams finish up to the drain timeout, then close. */
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
                .put("sessions", sessions);
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("proxy-servers").status(started);
        if (http != null) {
            response.withData("http", http.port());
        }
        return response.build();
    }
}
