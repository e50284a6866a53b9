package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sessions to every tunnel-service replica (protocol version 4): each replica announces the URL
 * connectors reach it at ({@code tunnel.replica-url}), and a connector whose {@code tunnel.url}
 * names only one of them learns the others from it and holds a session to each. The connectors
 * here run with the product's reconnect defaults (1 s initial delay, 30 s cap), so coming back
 * quickly is the announcement's doing, not a short backoff's.
 */
class ReplicaSessionsIT {

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("replica-sessions");

    /** Generous for a loaded 2-core machine; the times measured are printed. */
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void aConnectorPointedAtOneReplicaHoldsASessionToEachAndFollowsThemComingAndGoing() throws Exception {
        LocalSystem system = e2e.system();
        TestBackend backend = new TestBackend(e2e.vertx(), "replicas");
        int portA = LocalSystem.freePort();
        int portB = LocalSystem.freePort();
        try (ChaosRelay pathToB = new ChaosRelay("path-to-b", portB)) {
            // The connector reaches B only through the relay (passing for now), A directly.
            LocalSystem.Node tunnelA = started(system.tunnel("tunnel-a", portA, replicaUrl(portA)));
            LocalSystem.Node tunnelB = started(system.tunnel("tunnel-b", portB, replicaUrl(pathToB.port())));
            LocalSystem.Node proxy = started(system.proxy("proxy"));
            // Product reconnect defaults, and a short connect timeout for the attempts through the blackhole.
            LocalSystem.Node connector = started(system.connector(
                    "connector",
                    LocalSystem.productReconnect(system.connectorYaml(portA, "loc", 1, app(backend)))
                            .replace("  idleTimeout: 5s\n", "  idleTimeout: 5s\n  connectTimeout: 2s\n"),
                    true));

            // tunnel.url names A only; B is reached because A announced it.
            system.awaitRegistered(proxy, "loc", 2);
            assertEquals(1, IdleState.sum(tunnelA.metrics(), "cp_tunnel_sessions"));
            assertEquals(1, IdleState.sum(tunnelB.metrics(), "cp_tunnel_sessions"));
            assertEquals(2, IdleState.sum(connector.metrics(), "cp_connector_sessions_active"));
            assertHealthSays(connector, "2 tunnel-service replica(s) announced, 2 with a session");
            assertEquals(200, get(system, proxy, "/first"));
            assertTrue(connector.process().logContains("has no session from this connector: dialling it"));

            // The path to B goes silent (half-open): the session dies of its idle timeout, the
            // connector cannot get a new one, and the registry gives B no stream of this location.
            pathToB.blackhole();
            system.awaitRegistered(proxy, "loc", 1);
            long attempts = pathToB.accepted();
            connector.process().await("the connector tries B again", DEADLINE, () -> pathToB.accepted() > attempts);
            for (int i = 0; i < 10; i++) {
                assertEquals(200, get(system, proxy, "/only-a/" + i), "request " + i);
            }
            assertEquals(0, IdleState.sum(tunnelB.metrics(), "cp_tunnel_sessions"));
            assertHealthSays(connector, "2 tunnel-service replica(s) announced, 1 with a session");

            // The path heals: the connector's next attempt gets its session to B.
            pathToB.pass();
            system.awaitRegistered(proxy, "loc", 2);

            // B dies: the connector's session to it goes, requests keep being served through A.
            tunnelB.process().kill();
            system.awaitRegistered(proxy, "loc", 1);
            assertEquals(200, get(system, proxy, "/without-b"));

            // B is back on its URL: A announces it and the connector dials it at once.
            tunnelB = started(system.tunnel("tunnel-b-again", portB, replicaUrl(pathToB.port())));
            long ready = System.nanoTime();
            system.awaitRegistered(proxy, "loc", 2);
            long sessionAfter = System.nanoTime() - ready;
            assertEquals(1, IdleState.sum(tunnelB.metrics(), "cp_tunnel_sessions"));

            // A, the only replica the connector was configured with, dies: B carries the requests.
            tunnelA.process().kill();
            long killed = System.nanoTime();
            awaitServed(system, proxy, "/without-a");
            long servedAfter = System.nanoTime() - killed;
            system.awaitRegistered(proxy, "loc", 1);
            assertHealthSays(connector, "1 tunnel-service replica(s) announced, 1 with a session");

            System.out.printf(
                    "replica sessions: a restarted replica had its session %d ms after it was ready; with the"
                            + " configured replica killed a request was served %d ms later%n",
                    sessionAfter / 1_000_000, servedAfter / 1_000_000);
        }
    }

    private static void assertHealthSays(LocalSystem.Node connector, String text) {
        connector.process().await("the connector's readiness says " + text, DEADLINE, () -> ManagedProcess.get(
                        connector.health())
                .contains(text));
    }

    /** What the running test started: stopped after it, so the next test's replicas are its own. */
    private final java.util.List<LocalSystem.Node> started = new java.util.ArrayList<>();

    private LocalSystem.Node started(LocalSystem.Node node) {
        started.add(node);
        return node;
    }

    @org.junit.jupiter.api.AfterEach
    void stopWhatTheTestStarted() {
        // Connectors first, so that no session sees its replica go; then the services.
        started.sort(java.util.Comparator.comparing(node -> node.kind() != LocalSystem.Kind.CONNECTOR));
        started.forEach(node -> node.process().close());
        started.clear();
    }

    private static Map<String, String> replicaUrl(int port) {
        return Map.of("tunnel.replica-url", "wss://localhost:" + port + "/tunnel");
    }

    private static String app(TestBackend backend) {
        return mapping("app", 8080, backend.port(), "HTTP");
    }

    private static int get(LocalSystem system, LocalSystem.Node proxy, String path) throws Exception {
        return Curl.run(
                        system.dir.resolve("client"),
                        "-x",
                        "http://127.0.0.1:" + proxy.port(),
                        "--max-time",
                        "5",
                        "-H",
                        "SAP-Connectivity-SCC-Location_ID: loc",
                        "http://app:8080" + path)
                .status();
    }

    private static void awaitServed(LocalSystem system, LocalSystem.Node proxy, String path) {
        proxy.process().await("a request to " + path + " is served", DEADLINE, () -> {
            try {
                return get(system, proxy, path) == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }
}
