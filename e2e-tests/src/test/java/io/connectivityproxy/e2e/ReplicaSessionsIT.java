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
    void aConnectorPointedAtOneReplicaServesThroughEveryReplicaAndFollowsThemComingAndGoing() throws Exception {
        LocalSystem system = e2e.system();
        TestBackend backend = new TestBackend(e2e.vertx(), "replicas");
        int portA = LocalSystem.freePort();
        int portB = LocalSystem.freePort();
        LocalSystem.Node tunnelA = started(system.tunnel("follow-tunnel-a", portA, replicaUrl(portA)));
        LocalSystem.Node tunnelB = started(system.tunnel("follow-tunnel-b", portB, replicaUrl(portB)));
        LocalSystem.Node proxy = started(system.proxy("follow-proxy"));
        LocalSystem.Node connector = started(system.connector(
                "follow-connector", productBackoff(system.connectorYaml(portA, "loc", 1, app(backend))), true));

        // tunnel.url names A only; B is reached because A announced it.
        system.awaitRegistered(proxy, "loc", 2);
        assertEquals(1, IdleState.sum(tunnelA.metrics(), "cp_tunnel_sessions"));
        assertEquals(1, IdleState.sum(tunnelB.metrics(), "cp_tunnel_sessions"));
        assertEquals(2, IdleState.sum(connector.metrics(), "cp_connector_sessions_active"));
        assertTrue(
                ManagedProcess.get(connector.health())
                        .contains("2 tunnel-service replica(s) announced, 2 with a session"),
                ManagedProcess.get(connector.health()));
        assertEquals(200, get(system, proxy, "loc", "/first"));

        // B dies: the connector's session to it goes, requests keep being served through A.
        tunnelB.process().kill();
        system.awaitRegistered(proxy, "loc", 1);
        assertEquals(200, get(system, proxy, "loc", "/without-b"));

        // B is back on its URL: A announces it and the connector dials it at once.
        tunnelB = started(system.tunnel("follow-tunnel-b-again", portB, replicaUrl(portB)));
        long ready = System.nanoTime();
        system.awaitRegistered(proxy, "loc", 2);
        long sessionAfter = System.nanoTime() - ready;
        assertEquals(1, IdleState.sum(tunnelB.metrics(), "cp_tunnel_sessions"));

        // A, the only replica the connector was configured with, dies: B carries the requests.
        tunnelA.process().kill();
        long killed = System.nanoTime();
        awaitServed(system, proxy, "loc", "/without-a");
        long servedAfter = System.nanoTime() - killed;
        system.awaitRegistered(proxy, "loc", 1);

        System.out.printf(
                "replica sessions: a restarted replica had its session %d ms after it was ready; with the"
                        + " configured replica killed a request was served %d ms later%n",
                sessionAfter / 1_000_000, servedAfter / 1_000_000);
        assertTrue(connector.process().logContains("has no session from this connector: dialling it"));
    }

    @Test
    void aReplicaTheConnectorCannotReachIsNeverGivenItsStreams() throws Exception {
        LocalSystem system = e2e.system();
        TestBackend backend = new TestBackend(e2e.vertx(), "unreachable");
        int portB = LocalSystem.freePort();
        try (ChaosRelay pathToB = new ChaosRelay("path-to-b", portB)) {
            // The connector reaches B only through the relay, which swallows everything: half-open.
            pathToB.blackhole();
            int portA = LocalSystem.freePort();
            LocalSystem.Node tunnelA = started(system.tunnel("cut-tunnel-a", portA, replicaUrl(portA)));
            LocalSystem.Node tunnelB = started(system.tunnel("cut-tunnel-b", portB, replicaUrl(pathToB.port())));
            LocalSystem.Node proxy = started(system.proxy("cut-proxy"));
            // A short connect timeout: the attempts at B through the blackhole give up sooner.
            LocalSystem.Node connector = started(system.connector(
                    "cut-connector",
                    system.connectorYaml(portA, "cut", 1, app(backend))
                            .replace("  idleTimeout: 5s\n", "  idleTimeout: 5s\n  connectTimeout: 2s\n"),
                    true));
            system.awaitRegistered(proxy, "cut", 1);
            connector.process().await("the connector tries B's URL", DEADLINE, () -> pathToB.accepted() > 0);

            // Every request goes through A: the registry knows B has no session of this location.
            for (int i = 0; i < 20; i++) {
                assertEquals(200, get(system, proxy, "cut", "/only-a/" + i), "request " + i);
            }
            assertEquals(0, IdleState.sum(tunnelB.metrics(), "cp_tunnel_sessions"));
            assertEquals(1, IdleState.sum(tunnelA.metrics(), "cp_tunnel_sessions"));
            assertTrue(
                    ManagedProcess.get(connector.health())
                            .contains("2 tunnel-service replica(s) announced, 1 with a session"),
                    ManagedProcess.get(connector.health()));

            // The path heals: the connector's next attempt gets its session to B.
            pathToB.pass();
            system.awaitRegistered(proxy, "cut", 2);
            assertEquals(1, IdleState.sum(tunnelB.metrics(), "cp_tunnel_sessions"));
            assertEquals(200, get(system, proxy, "cut", "/both"));
        }
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

    /** The test default reconnects within 2 s; these connectors keep the product's 1 s / 30 s. */
    private static String productBackoff(String yaml) {
        String shortBackoff = "reconnect:\n  initialDelay: 200ms\n  maxDelay: 2s\n";
        assertTrue(yaml.contains(shortBackoff), yaml);
        return yaml.replace(shortBackoff, "");
    }

    private static int get(LocalSystem system, LocalSystem.Node proxy, String location, String path) throws Exception {
        return Curl.run(
                        system.dir.resolve("client"),
                        "-x",
                        "http://127.0.0.1:" + proxy.port(),
                        "--max-time",
                        "5",
                        "-H",
                        "SAP-Connectivity-SCC-Location_ID: " + location,
                        "http://app:8080" + path)
                .status();
    }

    private static void awaitServed(LocalSystem system, LocalSystem.Node proxy, String location, String path) {
        proxy.process().await("a request to " + path + " is served", DEADLINE, () -> {
            try {
                return get(system, proxy, location, path) == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }
}
