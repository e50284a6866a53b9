package io.connectivityproxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

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
            script.await("run-local.sh prints READY", Duration.ofSeconds(180),
                    () -> script.logText().lines().anyMatch(line -> line.startsWith("READY")));
            String started = ManagedProcess.NATIVE_CONNECTOR ? "starting the native connector " : "starting the connector ";
            assertTrue(script.logText().lines().anyMatch(line -> line.startsWith(started)), script.tail());
            Curl.Result result = Curl.run(ManagedProcess.ROOT.resolve("e2e-tests/target/e2e/run-local"),
                    "-x", "http://127.0.0.1:20003", "http://sample-backend:8080/");
            assertEquals(200, result.status(), result.stderr());
            assertTrue(result.text().startsWith("Hello from the sample on-premise backend"), result.text());
            // The other direction: an on-premise client through the sample service channel.
            Curl.Result channel = Curl.run(ManagedProcess.ROOT.resolve("e2e-tests/target/e2e/run-local"),
                    "http://127.0.0.1:21080/");
            assertEquals(200, channel.status(), channel.stderr());
            assertTrue(channel.text().startsWith("Hello from the sample cluster service"), channel.text());
        } finally {
            script.close();
        }
        assertTrue(script.logContains("stopped"), script.tail());
        for (int port : new int[] { 20003, 8042, 8081, 8082, 8083, 5710, 5711, 18080, 18090, 21080 }) {
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
                ? Map.of("NATIVE", "1", "PRINCIPAL_PROPAGATION", "1") : Map.of("PRINCIPAL_PROPAGATION", "1");
        ManagedProcess script = ManagedProcess.start("run-local-pp", List.of("bash", "run-local.sh"), environment);
        java.nio.file.Path work = ManagedProcess.ROOT.resolve("e2e-tests/target/e2e/run-local-pp");
        try {
            script.await("run-local.sh prints READY", Duration.ofSeconds(180),
                    () -> script.logText().lines().anyMatch(line -> line.startsWith("READY")));
            assertTrue(script.logText().lines().anyMatch(line -> line.startsWith("principal propagation: curl ")
                    && line.contains("->  SSL_CLIENT_CERT: CN=alice ")), script.tail());
            String token = java.nio.file.Files.readString(ManagedProcess.ROOT.resolve(".run-local/user-token")).trim();
            Curl.Result alice = Curl.run(work, "-x", "http://127.0.0.1:20003",
                    "-H", "SAP-Connectivity-Authentication: Bearer " + token, "http://sample-backend-pp:8080/whoami");
            assertEquals(200, alice.status(), alice.stderr());
            assertTrue(alice.text().startsWith("SSL_CLIENT_CERT: CN=alice (issued by CN=connector principal propagation CA"),
                    alice.text());
            Curl.Result nobody = Curl.run(work, "-x", "http://127.0.0.1:20003", "http://sample-backend-pp:8080/whoami");
            assertEquals("SSL_CLIENT_CERT is empty: no user was propagated\n", nobody.text());
            char last = token.charAt(token.length() - 1);
            String changed = token.substring(0, token.length() - 2) + (token.charAt(token.length() - 2) == 'A' ? 'B' : 'A')
                    + last;
            Curl.Result refused = Curl.run(work, "-x", "http://127.0.0.1:20003",
                    "-H", "SAP-Connectivity-Authentication: Bearer " + changed, "http://sample-backend-pp:8080/whoami");
            assertEquals(403, refused.status(), refused.text());
            assertTrue(refused.text().startsWith("Principal propagation to sample-backend-pp:8080 refused: "),
                    refused.text());
        } finally {
            script.close();
        }
        assertTrue(script.logContains("stopped"), script.tail());
        for (int port : new int[] { 20003, 8042, 8083, 18443 }) {
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
