package io.connectivityproxy.management;

import java.util.List;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.jboss.logmanager.LogContext;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Log levels on the management port of every process that has this module (proxy-service,
 * tunnel-service, the connector; found through this jar's {@code META-INF/beans.xml}):
 * <ul>
 * <li>{@code GET /admin/loggers}: every logger with its own and its effective level;
 * <li>{@code GET /admin/loggers/<name>}: one logger ({@code ROOT} is the root logger);
 * <li>{@code PUT} or {@code POST /admin/loggers/<name>} with {@code {"level":"DEBUG"}} (or
 * {@code null} to inherit again): takes effect at once, until the process ends.
 * </ul>
 * A refused name or body gets 400 with the reason; each change is logged.
 */
@Singleton
public class LogLevelRoutes {

    static final String PATH = "/admin/loggers";
    private static final Logger LOG = Logger.getLogger(LogLevelRoutes.class);
    /** A level change is a few bytes; anything longer is refused before it is read whole. */
    private static final long BODY_LIMIT = 1024;

    private final LogLevels levels = new LogLevels(LogContext.getLogContext());

    void routes(@Observes Router router) {
        router.get(PATH).handler(ctx -> json(ctx, 200, list()));
        router.get(PATH + "/:name").handler(ctx -> {
            try {
                json(ctx, 200, toJson(levels.get(ctx.pathParam("name"))));
            } catch (LogLevels.InvalidName e) {
                refuse(ctx, e.getMessage());
            }
        });
        BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);
        router.put(PATH + "/:name").handler(body).handler(this::change);
        router.post(PATH + "/:name").handler(body).handler(this::change);
    }

    private void change(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        try {
            LevelChange change = LevelChange.parse(ctx.body().buffer());
            LogLevels.Change result = levels.set(name, change.level());
            LOG.infof(
                    "logger %s: level %s (was %s) set through the management port by %s",
                    result.after().name(),
                    result.after().level().orElse("inherited " + result.after().effectiveLevel()),
                    result.before()
                            .level()
                            .orElse("inherited " + result.before().effectiveLevel()),
                    ctx.request().remoteAddress());
            json(
                    ctx,
                    200,
                    toJson(result.after())
                            .put("previousLevel", result.before().level().orElse(null)));
        } catch (LevelChange.Invalid | LogLevels.InvalidName e) {
            refuse(ctx, e.getMessage());
        }
    }

    private JsonObject list() {
        JsonArray loggers = new JsonArray();
        for (LogLevels.Entry entry : levels.list()) {
            loggers.add(toJson(entry));
        }
        return new JsonObject()
                .put("levels", new JsonArray(List.copyOf(LevelChange.LEVELS.keySet())))
                .put("loggers", loggers);
    }

    private static JsonObject toJson(LogLevels.Entry entry) {
        return new JsonObject()
                .put("name", entry.name())
                .put("level", entry.level().orElse(null))
                .put("effectiveLevel", entry.effectiveLevel());
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encodePrettily());
    }

    private static void refuse(RoutingContext ctx, String message) {
        ctx.response()
                .setStatusCode(400)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .end(message + "\n");
    }
}
