package io.connectivityproxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;

/**
 * The README's first command: ./run-local.sh starts everything, says READY once requests go through
 * both ways (proxy and service channel), and stops cleanly on SIGTERM. With {@code -De2e.connector=native}
 * the same with {@code NATIVE=1}: the script says it starts the native connector.
 */
class RunLocalIT {

    @Test
    void runLocalServesTheSampleBackendAndStopsOnSigterm() throws Exception {
        // -De2e.connector=native: the README's NATIVE=1 ./run-local.sh, which starts the native connector.
        Map<String, String> environment = ManagedProcess.NATIVE_CONNECTOR ? Map.of("NATIVE", "1") : Map.of();
        ManagedProcess script = ManagedProcess.start("run-local", List.of("bash", "run-local.sh"), environment);
        try {
            script.await("run-local.sh prints READY", Duration.ofSeconds(180), () -> script.logText()
                    .lines()
                    .anyMatch(line -> line.startsWith("READY")));
            String started =
                    ManagedProcess.NATIVE_CONNECTOR ? "starting the native connector " : "starting the connector ";
            assertTrue(script.logText().lines().anyMatch(line -> line.startsWith(started)), script.tail());
            Curl.Result result = Curl.run(
                    ManagedProcess.ROOT.resolve("e2e-tests/target/e2e/run-local"),
                    "-x",
                    "http://127.0.0.1:20003",
                    "http://sample-backend:8080/");
            assertEquals(200, result.status(), result.stderr());
            assertTrue(result.text().startsWith("Hello from the sample on-premise backend"), result.text());
            // The other direction: an on-premise client through the sample service channel.
            Curl.Result channel =
                    Curl.run(ManagedProcess.ROOT.resolve("e2e-tests/target/e2e/run-local"), "http://127.0.0.1:21080/");
            assertEquals(200, channel.status(), channel.stderr());
            assertTrue(channel.text().startsWith("Hello from the sample cluster service"), channel.text());
        } finally {
            script.close();
        }
        assertTrue(script.logContains("stopped"), script.tail());
        for (int port : new int[] {20003, 8042, 8081, 8082, 8083, 5710, 5711, 18080, 18090, 21080}) {
            assertFalse(listening(port), "port " + port + " is still served after run-local.sh stopped");
        }
    }

    /**
     * The README's PRINCIPAL_PROPAGATION=1 ./run-local.sh: the README's curl with alice's token reaches
     * /whoami as alice, the same request without it gets an empty SSL_CLIENT_CERT, and a changed
     * token is refused with 403.
     */
    @Test
    void runLocalWithPrincipalPropagationNamesTheUser() throws Exception {
        Map<String, String> environment = ManagedProcess.NATIVE_CONNECTOR
                ? Map.of("NATIVE", "1", "PRINCIPAL_PROPAGATION", "1")
                : Map.of("PRINCIPAL_PROPAGATION", "1");
        ManagedProcess script = ManagedProcess.start("run-local-pp", List.of("bash", "run-local.sh"), environment);
        java.nio.file.Path work = ManagedProcess.ROOT.resolve("e2e-tests/target/e2e/run-local-pp");
        try {
            script.await("run-local.sh prints READY", Duration.ofSeconds(180), () -> script.logText()
                    .lines()
                    .anyMatch(line -> line.startsWith("READY")));
            assertTrue(
                    script.logText()
                            .lines()
                            .anyMatch(line -> line.startsWith("principal propagation: curl ")
                                    && line.contains("->  SSL_CLIENT_CERT: CN=alice ")),
                    script.tail());
            String token = java.nio.file.Files.readString(ManagedProcess.ROOT.resolve(".run-local/user-token"))
                    .trim();
            Curl.Result alice = Curl.run(
                    work,
                    "-x",
                    "http://127.0.0.1:20003",
                    "-H",
                    "SAP-Connectivity-Authentication: Bearer " + token,
                    "http://sample-backend-pp:8080/whoami");
            assertEquals(200, alice.status(), alice.stderr());
            assertTrue(
                    alice.text()
                            .startsWith("SSL_CLIENT_CERT: CN=alice (issued by CN=connector principal propagation CA"),
                    alice.text());
            Curl.Result nobody = Curl.run(work, "-x", "http://127.0.0.1:20003", "http://sample-backend-pp:8080/whoami");
            assertEquals("SSL_CLIENT_CERT is empty: no user was propagated\n", nobody.text());
            char last = token.charAt(token.length() - 1);
            String changed = token.substring(0, token.length() - 2)
                    + (token.charAt(token.length() - 2) == 'A' ? 'B' : 'A')
                    + last;
            Curl.Result refused = Curl.run(
                    work,
                    "-x",
                    "http://127.0.0.1:20003",
                    "-H",
                    "SAP-Connectivity-Authentication: Bearer " + changed,
                    "http://sample-backend-pp:8080/whoami");
            assertEquals(403, refused.status(), refused.text());
            assertTrue(
                    refused.text().startsWith("Principal propagation to sample-backend-pp:8080 refused: "),
                    refused.text());
        } finally {
            script.close();
        }
        assertTrue(script.logContains("stopped"), script.tail());
        for (int port : new int[] {20003, 8042, 8083, 18443}) {
            assertFalse(listening(port), "port " + port + " is still served after run-local.sh stopped");
        }
    }

    /**
     * {@code CONNECTOR_CONFIG=my-connector.yaml ./run-local.sh}: the connector serves the user's
     * access control list (its tunnel section, meant for a real installation, is not used), the
     * connector doctor's lines for each backend are printed, the sample list is gone, and an edit
     * of the user's file is applied while the system runs.
     */
    @Test
    void runLocalServesTheUsersAccessControlList() throws Exception {
        Vertx vertx = Vertx.vertx();
        TestBackend mine = new TestBackend(vertx, "mine");
        TestBackend later = new TestBackend(vertx, "later");
        int dead = LocalSystem.freePort();
        Path dir = ManagedProcess.ROOT.resolve("e2e-tests/target/e2e/run-local-user");
        Files.createDirectories(dir);
        Path file = dir.resolve("my-connector.yaml");
        String tunnel = "# A real installation's settings: run-local.sh uses its own instead.\n"
                + "tunnel:\n  url: wss://cp.example.invalid:443/tunnel\n  certificate: nowhere.pem\n"
                + "  key: nowhere-key.pem\n  ca: nowhere-ca.pem\nsubaccount: real-subaccount\n";
        String acl = "accessControl:\n"
                + "  # my ERP\n"
                + "  - virtualHost: my-erp\n    virtualPort: 8080\n    internalHost: 127.0.0.1\n"
                + "    internalPort: " + mine.port() + "\n    protocol: HTTP\n"
                + "  - virtualHost: my-dead\n    virtualPort: 9000\n    internalHost: 127.0.0.1\n"
                + "    internalPort: " + dead + "\n    protocol: TCP\n";
        Files.writeString(file, tunnel + acl);
        ManagedProcess script = ManagedProcess.start(
                "run-local-user", List.of("bash", "run-local.sh"), Map.of("CONNECTOR_CONFIG", file.toString()));
        Path curlDir = ManagedProcess.ROOT.resolve("e2e-tests/target/e2e/run-local-user/curl");
        try {
            script.await("run-local.sh prints READY", Duration.ofSeconds(180), () -> script.logText()
                    .lines()
                    .anyMatch(line -> line.startsWith("READY")));
            String log = script.logText();
            assertTrue(log.contains("READY: the connector serves the access control list of " + file), log);
            assertTrue(
                    log.contains("check: OK   backend     my-erp:8080 -> 127.0.0.1:" + mine.port()
                            + " (HTTP): accepts connections"),
                    log);
            assertTrue(
                    log.contains(
                            "check: FAIL backend     my-dead:9000 -> 127.0.0.1:" + dead + " (TCP): connection refused"),
                    log);
            assertTrue(log.contains("check: OK   tunnel      wss://localhost:8042/tunnel"), log);
            assertTrue(log.contains("status: http://127.0.0.1:8081/admin/status"), log);
            Curl.Result result = Curl.run(curlDir, "-x", "http://127.0.0.1:20003", "http://my-erp:8080/x");
            assertEquals(200, result.status(), result.stderr());
            assertTrue(result.text().startsWith("backend mine GET /x"), result.text());
            Curl.Result sample = Curl.run(curlDir, "-x", "http://127.0.0.1:20003", "http://sample-backend:8080/");
            assertEquals(403, sample.status(), "the sample list is not in force");
            // An edit of the user's file reaches the running connector.
            Files.writeString(
                    file,
                    tunnel + acl + "  - virtualHost: my-later\n    virtualPort: 8080\n"
                            + "    internalHost: 127.0.0.1\n    internalPort: " + later.port()
                            + "\n    protocol: HTTP\n");
            script.await("the added mapping serves", Duration.ofSeconds(30), () -> {
                try {
                    return Curl.run(curlDir, "-x", "http://127.0.0.1:20003", "http://my-later:8080/")
                                    .status()
                            == 200;
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            script.close();
            mine.close();
            later.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        assertTrue(script.logContains("stopped"), script.tail());
        for (int port : new int[] {20003, 8042, 8081, 8082, 8083, 5710, 5711, 18080, 18090, 21080}) {
            assertFalse(listening(port), "port " + port + " is still served after run-local.sh stopped");
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
