package io.connectivityproxy.connector;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.Readiness;

import io.connectivityproxy.admin.RecentRefusals;
import io.connectivityproxy.admin.StatusPage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The connector's status page, {@code GET /admin/status} on the management port (read-only
 * HTML: sessions, streams, bytes, the file's state, the access control list, the service
 * channels, the last checks and recent refusals), and the JSON behind its newer parts:
 * {@code GET /admin/config} (the file against what is in force) and {@code GET /admin/checks}
 * (the last run of the connector doctor).
 */
@Singleton
public class StatusRoutes {

    private final Connector connector;

    public StatusRoutes(@Readiness Connector connector) {
        this.connector = connector;
    }

    void routes(@Observes Router router) {
        router.get("/admin/status").handler(this::page);
        router.get("/admin/config").handler(ctx -> json(ctx, config()));
        router.get("/admin/checks").handler(ctx -> json(ctx, checks()));
    }

    private static void json(RoutingContext ctx, JsonObject body) {
        ctx.response().putHeader("Content-Type", "application/json").end(body.encodePrettily());
    }

    JsonObject config() {
        ConfigWatcher.Status status = connector.configStatus();
        JsonObject out = new JsonObject().put("file", connector.configFile().toString());
        if (status != null) {
            out.put("fileInForce", status.state() == ConfigWatcher.State.IN_FORCE)
                    .put("problem", status.problem())
                    .put("checkedAt", status.checkedAt().toString())
                    .put("appliedAt", status.appliedAt().toString())
                    .put("needsRestart", new JsonArray(status.needRestart()));
        }
        return out;
    }

    JsonObject checks() {
        ConnectorCheck.Report report = connector.lastCheck();
        if (report == null) {
            return new JsonObject().put("checks", new JsonArray());
        }
        JsonArray out = new JsonArray();
        for (ConnectorCheck.Result result : report.results()) {
            out.add(new JsonObject()
                    .put("check", result.check())
                    .put("target", result.target())
                    .put("ok", result.ok())
                    .put("detail", result.detail()));
        }
        return new JsonObject()
                .put("at", report.at().toString())
                .put("ok", report.ok())
                .put("checks", out);
    }

    private void page(RoutingContext ctx) {
        StatusPage.send(ctx.response(), render(Instant.now()));
    }

    String render(Instant now) {
        ConnectorSettings settings = connector.settings();
        ConnectorMetrics metrics = connector.metrics();
        if (settings == null) {
            return new StatusPage("connector", "no valid configuration has been read", Duration.ofSeconds(5)).finish();
        }
        StatusPage page = new StatusPage(
                "connector " + settings.connectorId(),
                "subaccount " + settings.subaccount()
                        + ", location " + (settings.locationId().isEmpty() ? "(default)" : settings.locationId())
                        + ", tunnel "
                        + settings.tunnelUrl() + " - read-only, reloads every 5 s",
                Duration.ofSeconds(5));

        page.section("Sessions");
        List<List<String>> sessions = new ArrayList<>();
        for (TunnelSession session : connector.sessions()) {
            Instant established = session.establishedAt();
            sessions.add(List.of(
                    Integer.toString(session.index()),
                    (session.state() == TunnelSession.State.ACTIVE ? StatusPage.OK : StatusPage.FAIL)
                            + session.state().name(),
                    session.sessionId() == null ? "" : session.sessionId(),
                    established == null ? "" : StatusPage.age(established, now),
                    Integer.toString(Math.max(0, session.load())),
                    session.replicaId() == null ? "" : session.replicaId(),
                    session.url().toString()));
        }
        page.table(
                "sessions",
                List.of("#", "state", "session", "age", "streams", "replica", "dials"),
                sessions,
                "no sessions");
        Map<String, String> traffic = new LinkedHashMap<>();
        traffic.put("open streams to backends", Integer.toString(metrics.openStreams()));
        traffic.put("bytes from backends into the tunnel", StatusPage.bytes(metrics.bytesToCloud()));
        traffic.put("service-channel bytes to the cloud", StatusPage.bytes(metrics.channelBytes(true)));
        traffic.put("service-channel bytes from the cloud", StatusPage.bytes(metrics.channelBytes(false)));
        page.facts("traffic", traffic);

        page.section("Configuration file");
        ConfigWatcher.Status status = connector.configStatus();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("file", connector.configFile().toString());
        if (status != null) {
            config.put(
                    "state",
                    status.state() == ConfigWatcher.State.IN_FORCE
                            ? "the file on disk is in force"
                            : "the file on disk is NOT in force: " + status.problem());
            config.put("in force since", status.appliedAt() + " (" + StatusPage.age(status.appliedAt(), now) + " ago)");
            config.put(
                    "needs a restart",
                    status.needRestart().isEmpty() ? "nothing" : String.join(", ", status.needRestart()));
        }
        page.facts("config", config);
        if (status != null && status.state() == ConfigWatcher.State.REFUSED) {
            page.paragraph("config-problem", "fail", status.problem());
        }

        page.section("Access control list");
        List<List<String>> acl = new ArrayList<>();
        for (AccessControlList.Mapping mapping : settings.accessControl().mappings()) {
            int count = mapping.lastVirtualPort() - mapping.virtualPort() + 1;
            acl.add(List.of(
                    mapping.virtualAuthorities(),
                    mapping.internalHost() + ":" + mapping.internalPort()
                            + (count > 1 ? "-" + (mapping.internalPort() + count - 1) : ""),
                    mapping.protocol().name(),
                    mapping.protocol().isHttp() ? paths(mapping) : "",
                    mapping.protocol().isHttp() ? mapping.hostHeader().name() : ""));
        }
        page.table(
                "acl",
                List.of("virtual host:port", "internal host:port", "protocol", "paths", "Host header"),
                acl,
                "the list is empty: every stream is refused");

        page.section("Service channels");
        List<List<String>> channels = new ArrayList<>();
        for (ServiceChannel channel : connector.channels()) {
            ChannelSettings channelSettings = channel.settings();
            channels.add(List.of(
                    channelSettings.serviceId(),
                    channelSettings.type().name(),
                    channelSettings.listenAddress(),
                    channel.status(),
                    channel.openConnections() + " / " + channelSettings.maxConnections(),
                    channel.refusals().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", "))));
        }
        page.table(
                "channels",
                List.of("service", "type", "listen", "state", "connections", "refusals"),
                channels,
                "no service channels");

        page.section("Last checks");
        ConnectorCheck.Report report = connector.lastCheck();
        if (report == null) {
            page.paragraph("checks", "empty", "the checks are still running");
        } else {
            page.paragraph(
                    "checks-summary",
                    report.ok() ? "ok" : "fail",
                    (report.ok()
                                    ? "all checks passed"
                                    : report.failures() + " of "
                                            + report.results().size() + " checks failed")
                            + ", "
                            + StatusPage.age(report.at(), now)
                            + " ago (at the start and after each change of the file)");
            List<List<String>> rows = new ArrayList<>();
            for (ConnectorCheck.Result result : report.results()) {
                rows.add(List.of(
                        (result.ok() ? StatusPage.OK + "OK" : StatusPage.FAIL + "FAIL"),
                        result.check(),
                        result.target(),
                        result.detail()));
            }
            page.table("checks", List.of("result", "check", "target", "detail"), rows, "no checks");
        }

        page.section("Refused streams");
        List<List<String>> byReason = new ArrayList<>();
        metrics.openFailuresByReason()
                .forEach((reason, count) -> byReason.add(List.of(reason.name(), Long.toString(count.longValue()))));
        page.table("refusals", List.of("reason", "since the start"), byReason, "none");
        page.paragraph("recent-title", "", "The most recent, newest first:");
        List<List<String>> recent = new ArrayList<>();
        for (RecentRefusals.Refusal refusal : metrics.recentRefusals().list()) {
            recent.add(List.of(StatusPage.age(refusal.at(), now) + " ago", refusal.reason(), refusal.message()));
        }
        page.table("recent-refusals", List.of("when", "reason", "message"), recent, "no recent refusals");
        return page.finish();
    }

    private static String paths(AccessControlList.Mapping mapping) {
        return mapping.paths().stream()
                .map(rule -> rule.path()
                        + (rule.includeSubPaths() ? " (and below)" : " (exactly)")
                        + (rule.upgradeAllowed() ? " upgrade allowed" : ""))
                .collect(Collectors.joining(", "));
    }
}
