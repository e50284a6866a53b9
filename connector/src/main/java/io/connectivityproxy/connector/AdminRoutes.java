package io.connectivityproxy.connector;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.Readiness;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Read-only admin view on the management port: {@code GET /admin/channels} lists the service
 * channels, their state, refusals and the client connections open through each, and
 * {@code GET /admin/sessions} the tunnel sessions.
 */
@Singleton
public class AdminRoutes {

    private final Connector connector;

    public AdminRoutes(@Readiness Connector connector) {
        this.connector = connector;
    }

    void routes(@Observes Router router) {
        router.get("/admin/channels").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(channels().encodePrettily()));
        router.get("/admin/sessions").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(sessions().encodePrettily()));
    }

    JsonObject channels() {
        JsonArray out = new JsonArray();
        for (ServiceChannel channel : connector.channels()) {
            ChannelSettings settings = channel.settings();
            JsonArray connections = new JsonArray();
            for (ServiceChannel.Connection connection : channel.connections()) {
                connections.add(new JsonObject()
                        .put("client", connection.client)
                        .put("stream", connection.streamId)
                        .put("since", connection.since.toString())
                        .put("bytesToCloud", connection.toCloud.get())
                        .put("bytesFromCloud", connection.fromCloud.get()));
            }
            JsonObject refusals = new JsonObject();
            channel.refusals().forEach((reason, count) -> refusals.put(reason.name(), count));
            ServiceChannel.Refusal last = channel.lastRefusal();
            out.add(new JsonObject()
                    .put("serviceId", settings.serviceId())
                    .put("type", settings.type().name())
                    .put("listen", settings.listenAddress())
                    .put("enabled", settings.enabled())
                    .put("state", channel.state())
                    .put("maxConnections", settings.maxConnections())
                    .put("openConnections", channel.openConnections())
                    .put("connections", connections)
                    .put("refusals", refusals)
                    .put(
                            "lastRefusal",
                            last == null
                                    ? null
                                    : new JsonObject()
                                            .put("reason", last.reason().name())
                                            .put("message", last.message())
                                            .put("at", last.at().toString())));
        }
        return new JsonObject().put("channels", out);
    }

    JsonObject sessions() {
        JsonArray out = new JsonArray();
        for (TunnelSession session : connector.sessions()) {
            out.add(new JsonObject()
                    .put("index", session.index())
                    .put("state", session.state().name())
                    .put("session", session.sessionId())
                    .put("streams", Math.max(0, session.load()))
                    .put("url", session.url().toString())
                    .put("dialledForReplica", session.replica())
                    .put("replica", session.replicaId()));
        }
        return new JsonObject().put("sessions", out);
    }
}
