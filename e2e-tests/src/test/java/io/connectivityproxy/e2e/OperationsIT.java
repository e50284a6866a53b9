package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.connectivityproxy.cluster.CertificateAuthority;
import io.connectivityproxy.protocol.Frame;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * SAP's operational contract on real processes, all logging JSON: the audit events of an accepted
 * and a refused handshake, SAP's two metrics of opening tunnels after provoked timeouts (a
 * connector frozen with SIGSTOP) and failures (an unreachable backend), JVM and process metrics,
 * log levels changed at run time on each process, the tunnel endpoint's health check, and, last,
 * every line each process printed parsed as one JSON object (or an {@code [AUDIT-EVENT]} line).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsIT {

    static final String AUDIT = "[AUDIT-EVENT] ";
    static final String HEALTH = "connectivity_proxy_open_tunnel_call_health_status";
    static final String TIMEOUTS =
            "connectivity_tunnel_opening_timeout_count_total\\{tunnel_id=\"account:///dev-subaccount\"\\}";
    static final Map<String, String> JSON_LOGS = Map.of("quarkus.log.console.json.enabled", "true");
    static final List<String> JSON_LOGS_OPTION = List.of("-Dquarkus.log.console.json.enabled=true");

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("operations");

    static Vertx vertx;
    static TestBackend backend;
    static LocalSystem system;
    static LocalSystem.Node tunnel;
    static LocalSystem.Node proxy;
    static LocalSystem.Node connector;
    static Path foreignCerts;
    static final List<ManagedProcess> jsonLogging = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        backend = new TestBackend(vertx, "A");
        int closedPort = LocalSystem.freePort();
        system = e2e.system();
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", JSON_LOGS));
        Map<String, String> proxyProperties = new java.util.HashMap<>(JSON_LOGS);
        proxyProperties.put("proxy.open-timeout", "2s");
        proxy = system.proxy("proxy", proxyProperties);
        tunnel = tunnelStart.join();
        connector = system.connector(
                "connector",
                system.connectorYaml(
                        tunnel.port(),
                        "",
                        1,
                        mapping("app", 8080, backend.port(), "HTTP"),
                        mapping("app-tcp", 8080, backend.port(), "TCP"),
                        mapping("down", 8080, closedPort, "HTTP")),
                true,
                JSON_LOGS_OPTION);
        jsonLogging.addAll(List.of(tunnel.process(), proxy.process(), connector.process()));
        system.awaitRegistered(proxy, "", 1);
        foreignCerts = system.dir.resolve("foreign");
        CertificateAuthority.create("some other CA")
                .issueClient("dev-subaccount")
                .write(foreignCerts, "foreign");
    }

    @AfterAll
    static void stop() throws Exception {
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    @Order(1)
    void theAuditEventsOfAnAcceptedAndARefusedHandshakeHaveSapsShape() throws Exception {
        String accepted = auditLines("tunnel handshake success").get(0);
        Matcher match = Pattern.compile(Pattern.quote(AUDIT + "{\"user\":\"fallback_for_missing_user\",\"tenant\":"
                                + "\"dev-subaccount\",\"data\":{\"action\":\"tunnel handshake\",\"message\":\"tunnel handshake success\","
                                + "\"tunnelId\":\"account:///dev-subaccount\",\"clientId\":\"connector-default\",\"handshakeDetails\":"
                                + "\"peer=127.0.0.1:")
                        + "\\d+ location=\\(default\\) session=([0-9a-f-]{36})\"}}")
                .matcher(accepted);
        assertTrue(match.matches(), accepted);
        assertTrue(
                tunnel.admin("/admin/sessions").contains("\"session\" : \"" + match.group(1) + "\""),
                "the audited session is the one in force");
        assertSapShape(accepted);

        LocalSystem.Node foreign = system.connector(
                "foreign-connector",
                system.connectorYaml(
                        tunnel.port(),
                        "foreign",
                        1,
                        foreignCerts.resolve("foreign.pem"),
                        foreignCerts.resolve("foreign-key.pem"),
                        mapping("app", 8080, backend.port(), "HTTP")),
                false,
                JSON_LOGS_OPTION);
        jsonLogging.add(foreign.process());
        tunnel.process().await("the refused handshake is audited", LocalSystem.START, () -> !auditLines(
                        "tunnel handshake failure")
                .isEmpty());
        foreign.process().close();
        String refused = auditLines("tunnel handshake failure").get(0);
        assertTrue(
                Pattern.compile(Pattern.quote(AUDIT + "{\"user\":\"fallback_for_missing_user\",\"tenant\":null,"
                                        + "\"data\":{\"action\":\"tunnel handshake\",\"message\":\"tunnel handshake failure\",\"tunnelId\":null,"
                                        + "\"clientId\":null,\"handshakeDetails\":\"peer=127.0.0.1:")
                                + "\\d+ "
                                + Pattern.quote(
                                        "subject=CN=dev-subaccount reason=client certificate is not signed by the connector CA "
                                                + "or is not valid: ")
                                + "[^\"]+\"}}")
                        .matcher(refused)
                        .matches(),
                refused);
        assertSapShape(refused);

        // Refused after its certificate passed: the tenant, tunnel and connector id are known.
        try (WsClient old = WsClient.tls(
                vertx,
                system.certs.resolve("connector.pem"),
                system.certs.resolve("connector-key.pem"),
                system.certs.resolve("ca.pem"))) {
            assertEquals(101, old.connect(tunnel.port()));
            old.send(new Frame.Hello(99, "old-connector", ""));
            assertInstanceOf(Frame.GoAway.class, old.next());
        }
        tunnel.process()
                .await(
                        "the refused HELLO is audited",
                        LocalSystem.START,
                        () -> auditLines("\"clientId\":\"old-connector\"").size() == 1);
        String refusedHello = auditLines("\"clientId\":\"old-connector\"").get(0);
        assertTrue(
                Pattern.compile(Pattern.quote(AUDIT + "{\"user\":\"fallback_for_missing_user\",\"tenant\":"
                                        + "\"dev-subaccount\",\"data\":{\"action\":\"tunnel handshake\",\"message\":\"tunnel handshake failure\","
                                        + "\"tunnelId\":\"account:///dev-subaccount\",\"clientId\":\"old-connector\",\"handshakeDetails\":"
                                        + "\"peer=127.0.0.1:")
                                + "\\d+ reason=unsupported protocol version 99\"}}")
                        .matcher(refusedHello)
                        .matches(),
                refusedHello);
        assertSapShape(refusedHello);

        // Never a secret: no byte of the refused connector's private key reaches the log.
        String keyLine =
                Files.readAllLines(foreignCerts.resolve("foreign-key.pem")).get(1);
        assertFalse(tunnel.process().logText().contains(keyLine));
        assertFalse(tunnel.process().logText().contains("PRIVATE KEY"));
    }

    @Test
    @Order(2)
    void sapsTunnelMetricsFollowTimeoutsAndFailures() throws Exception {
        assertEquals(0.0, HttpProxyIT.metricValue(proxy.metrics(), TIMEOUTS), "the dedicated tunnel shows 0 at first");
        LocalSystem.Node frozen = system.connector(
                "frozen-connector",
                system.connectorYaml(tunnel.port(), "frozen", 1, mapping("app", 8080, backend.port(), "HTTP")),
                true,
                JSON_LOGS_OPTION);
        jsonLogging.add(frozen.process());
        system.awaitRegistered(proxy, "frozen", 1);
        // Fifteen successes: the window the health status judges holds nothing else.
        for (int i = 0; i < 15; i++) {
            assertEquals(200, get("http://app:8080/").status());
        }
        assertEquals(1.0, health());

        signal("STOP", frozen);
        try {
            ExecutorService clients = Executors.newFixedThreadPool(5);
            List<Future<Curl.Result>> results = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                results.add(clients.submit(
                        () -> get("http://app:8080/", "-H", "SAP-Connectivity-SCC-Location_ID: frozen")));
            }
            for (Future<Curl.Result> result : results) {
                assertEquals(504, result.get(60, TimeUnit.SECONDS).status());
            }
            clients.shutdown();
            assertEquals(5.0, HttpProxyIT.metricValue(proxy.metrics(), TIMEOUTS));
            assertEquals(0.0, health(), "the last 5 opens failed");

            assertEquals(200, get("http://app:8080/").status());
            assertEquals(1.0, health(), "the run is broken, and 5 of 6 failures are below 60 % of 15");
            for (int i = 1; i <= 4; i++) {
                assertEquals(502, get("http://down:8080/").status(), "an unreachable backend");
                assertEquals(
                        i < 4 ? 1.0 : 0.0, health(), "after " + i + " unreachable: " + (5 + i) + " failures of 15");
            }
            for (int i = 1; i <= 5; i++) {
                assertEquals(200, get("http://app:8080/").status());
                assertEquals(0.0, health(), "9 of the last 15 still failed, though the last " + i + " did not");
            }
            assertEquals(200, get("http://app:8080/").status());
            assertEquals(1.0, health(), "the first timeout left the window: 8 of 15");
            assertEquals(
                    5.0, HttpProxyIT.metricValue(proxy.metrics(), TIMEOUTS), "unreachable backends are not timeouts");
        } finally {
            signal("CONT", frozen);
        }
        frozen.process()
                .await(
                        "the frozen connector's streams are reset",
                        StreamGauges.SETTLE,
                        () -> HttpProxyIT.metricValue(frozen.metrics(), "cp_connector_streams_open") == 0.0);
        StreamGauges.awaitNone(proxy, tunnel, connector);
        frozen.process().close();
    }

    @Test
    @Order(3)
    void jvmAndProcessMetricsAreOnInEveryProcess() {
        for (LocalSystem.Node node : List.of(proxy, tunnel, connector)) {
            String metrics = node.metrics();
            for (String name : List.of(
                    "jvm_memory_used_bytes",
                    "jvm_threads_live_threads",
                    "jvm_classes_loaded_classes",
                    "process_cpu_usage",
                    "process_uptime_seconds",
                    "system_cpu_count")) {
                assertTrue(
                        Pattern.compile("(?m)^" + name + "[ {]")
                                .matcher(metrics)
                                .find(),
                        name + " on " + node.process().name);
            }
        }
    }

    @Test
    @Order(4)
    void theTunnelEndpointAnswersItsHealthCheckWithoutAClientCertificateAndNothingElse() throws Exception {
        String base = "https://localhost:" + tunnel.port();
        String ca = system.certs.resolve("ca.pem").toString();
        Curl.Result health = Curl.run(system.dir.resolve("client"), "--cacert", ca, base + "/healthcheck");
        assertEquals(200, health.status(), health.stderr());
        assertEquals("OK\n", health.text());
        assertEquals(
                405,
                Curl.run(system.dir.resolve("client"), "--cacert", ca, "-X", "POST", base + "/healthcheck")
                        .status());
        assertEquals(
                404,
                Curl.run(system.dir.resolve("client"), "--cacert", ca, base + "/healthcheck/details")
                        .status());
        assertEquals(
                401,
                Curl.run(system.dir.resolve("client"), "--cacert", ca, base + "/tunnel")
                        .status(),
                "the tunnel itself still needs a certificate");
    }

    @Test
    @Order(5)
    void aLogLevelChangedAtRunTimeTakesEffectOnEachProcess() throws Exception {
        Path client = system.dir.resolve("client");
        levelCase(
                proxy,
                "io.connectivityproxy.proxy.TcpExchange",
                "CONNECT app-tcp:8080 established",
                () -> assertEquals(
                        200,
                        Curl.run(client, "-p", "-x", "http://127.0.0.1:" + proxy.port(), "http://app-tcp:8080/")
                                .status()));
        levelCase(
                connector,
                "io.connectivityproxy.connector.BackendExchange",
                "backend of down:8080 unreachable",
                () -> assertEquals(502, get("http://down:8080/").status()));
        levelCase(tunnel, "io.connectivityproxy.tunnel.TunnelTls", "client certificate refused", () -> {
            long audited = auditLines("tunnel handshake failure").size();
            assertEquals(
                    401,
                    Curl.run(
                                    client,
                                    "--cacert",
                                    system.certs.resolve("ca.pem").toString(),
                                    "--cert",
                                    foreignCerts.resolve("foreign.pem").toString(),
                                    "--key",
                                    foreignCerts.resolve("foreign-key.pem").toString(),
                                    "https://localhost:" + tunnel.port() + "/tunnel")
                            .status());
            // The refusal is audited after the certificate was judged, so its DEBUG line came first.
            tunnel.process()
                    .await(
                            "the refusal is audited",
                            LocalSystem.START,
                            () -> auditLines("tunnel handshake failure").size() > audited);
        });
    }

    @Test
    @Order(6)
    void aBadLevelOrBodyIsRefusedWithTheReason() throws Exception {
        String url = "http://127.0.0.1:" + connector.management() + "/admin/loggers/io.connectivityproxy.connector";
        Curl.Result loud = put(url, "{\"level\":\"LOUD\"}");
        assertEquals(400, loud.status());
        assertEquals(
                "level: must be one of OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL or null, got 'LOUD'\n",
                loud.text());
        Curl.Result notJson = put(url, "level=DEBUG");
        assertEquals(400, notJson.status());
        assertTrue(notJson.text().startsWith("the body is not a JSON object"), notJson.text());
        Curl.Result extra = put(url, "{\"level\":\"DEBUG\",\"for\":\"1h\"}");
        assertEquals(400, extra.status());
        assertEquals("unknown field 'for': the body has only \"level\"\n", extra.text());
        Curl.Result badName =
                put("http://127.0.0.1:" + connector.management() + "/admin/loggers/a%20b", "{\"level\":\"DEBUG\"}");
        assertEquals(400, badName.status());
        assertTrue(badName.text().startsWith("logger name: letters, digits"), badName.text());
        Curl.Result huge = put(url, "{\"level\":\"" + "x".repeat(5000) + "\"}");
        assertEquals(413, huge.status(), "the body limit");
        assertNull(new JsonObject(ManagedProcess.get(url)).getValue("level"), "nothing was changed");
    }

    @Test
    @Order(7)
    void everyLineEachProcessPrintedIsOneJsonObjectOrAnAuditEvent() throws Exception {
        // Stopped first, so that the shutdown's lines are judged too.
        for (ManagedProcess process : List.of(connector.process(), proxy.process(), tunnel.process())) {
            process.close();
        }
        for (ManagedProcess process : jsonLogging) {
            List<String> lines = Files.readAllLines(process.log);
            assertTrue(lines.size() >= 5, process.name + " printed " + lines.size() + " lines");
            int audits = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String where = process.log + ":" + (i + 1) + ": " + line;
                if (line.startsWith(AUDIT)) {
                    assertSapShape(line);
                    audits++;
                    continue;
                }
                JsonObject record;
                try {
                    record = new JsonObject(line);
                } catch (RuntimeException e) {
                    throw new AssertionError("not one JSON object: " + where, e);
                }
                for (String key : List.of("timestamp", "level", "loggerName", "message")) {
                    assertTrue(record.containsKey(key), key + " missing in " + where);
                }
            }
            if (process == tunnel.process()) {
                assertTrue(audits >= 3, "the audit events are among the tunnel's lines: " + audits);
            } else {
                assertEquals(0, audits, process.name + " writes no audit events");
            }
        }
    }

    /** Turns DEBUG on for {@code logger} and back: the DEBUG line appears only in between. */
    private static void levelCase(LocalSystem.Node node, String logger, String debugText, Action trigger)
            throws Exception {
        String url = "http://127.0.0.1:" + node.management() + "/admin/loggers/" + logger;
        JsonObject before = new JsonObject(ManagedProcess.get(url));
        assertEquals(logger, before.getString("name"));
        assertNull(before.getValue("level"));
        assertEquals("INFO", before.getString("effectiveLevel"));

        trigger.run();
        assertEquals(0, debugLines(node, logger, debugText), "no DEBUG line before the change");

        Curl.Result set = put(url, "{\"level\":\"DEBUG\"}");
        assertEquals(200, set.status(), set.text());
        JsonObject after = new JsonObject(set.text());
        assertEquals("DEBUG", after.getString("level"));
        assertEquals("DEBUG", after.getString("effectiveLevel"));
        JsonArray listed = new JsonObject(
                        ManagedProcess.get("http://127.0.0.1:" + node.management() + "/admin/loggers"))
                .getJsonArray("loggers");
        assertTrue(
                listed.stream()
                        .map(JsonObject.class::cast)
                        .anyMatch(entry ->
                                logger.equals(entry.getString("name")) && "DEBUG".equals(entry.getString("level"))),
                "the list shows the new level");

        trigger.run();
        node.process()
                .await(
                        "the DEBUG line of " + logger + " appears",
                        LocalSystem.START,
                        () -> debugLines(node, logger, debugText) == 1);

        Curl.Result reset = put(url, "{\"level\":null}");
        assertEquals(200, reset.status(), reset.text());
        assertEquals("INFO", new JsonObject(reset.text()).getString("effectiveLevel"));
        trigger.run();
        assertEquals(1, debugLines(node, logger, debugText), "no DEBUG line once the level is inherited again");
    }

    private static long debugLines(LocalSystem.Node node, String logger, String text) {
        return node.process()
                .logText()
                .lines()
                .filter(line -> line.startsWith("{"))
                .map(JsonObject::new)
                .filter(record -> "DEBUG".equals(record.getString("level"))
                        && logger.equals(record.getString("loggerName"))
                        && record.getString("message", "").contains(text))
                .count();
    }

    /** The keys of SAP's audit event, in SAP's order, and nothing else. */
    private static void assertSapShape(String line) {
        JsonObject event = new JsonObject(line.substring(AUDIT.length()));
        assertEquals(List.of("user", "tenant", "data"), List.copyOf(event.fieldNames()), line);
        assertEquals(
                List.of("action", "message", "tunnelId", "clientId", "handshakeDetails"),
                List.copyOf(event.getJsonObject("data").fieldNames()),
                line);
        assertEquals("fallback_for_missing_user", event.getString("user"));
        assertEquals("tunnel handshake", event.getJsonObject("data").getString("action"));
    }

    private static List<String> auditLines(String message) {
        return tunnel.process()
                .logText()
                .lines()
                .filter(line -> line.startsWith(AUDIT) && line.contains(message))
                .toList();
    }

    private static double health() {
        return HttpProxyIT.metricValue(proxy.metrics(), HEALTH);
    }

    private static Curl.Result get(String url, String... headers) throws Exception {
        List<String> args = new ArrayList<>(List.of("-x", "http://127.0.0.1:" + proxy.port()));
        args.addAll(List.of(headers));
        args.add(url);
        return Curl.run(system.dir.resolve("client"), args.toArray(String[]::new));
    }

    private static Curl.Result put(String url, String body) throws Exception {
        return Curl.run(
                system.dir.resolve("client"),
                "-X",
                "PUT",
                "-H",
                "Content-Type: application/json",
                "--data-binary",
                body,
                url);
    }

    private static void signal(String signal, LocalSystem.Node node) throws Exception {
        Process kill = new ProcessBuilder(
                        "kill", "-" + signal, Long.toString(node.process().pid()))
                .inheritIO()
                .start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal);
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }
}
