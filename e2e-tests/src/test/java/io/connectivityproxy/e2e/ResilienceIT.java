package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.vertx.core.Vertx;

/** What users notice when parts die: incomplete responses, never truncated ones; reconnects by themselves. */
class ResilienceIT {

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("resilience");

    static Vertx vertx;
    static LocalSystem system;
    static TestBackend backend;
    static LocalSystem.Node proxy;
    static Path client;

    /** How long the killed tunnel-service stays away before it is started again (then it starts). */
    private static final Duration AWAY = Duration.ofSeconds(8);

    /** The bound on ready-to-first-200 that the fast phase always meets on a loaded 2-core machine. */
    private static final Duration FAST_BOUND = Duration.ofSeconds(4);

    private static final Duration SERVED = Duration.ofSeconds(60);

    /** The connector's log line for each reconnect delay. */
    private static final Pattern RECONNECT_DELAY =
            Pattern.compile("reconnecting in (\\d+) ms \\(attempt \\d+(, fast phase)?\\)");

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        backend = new TestBackend(vertx, "A");
        system = e2e.system();
        client = system.dir.resolve("client");
    }

    @Test
    void killedConnectorMidResponseGivesAnIncompleteResponseAndThen503() throws Exception {
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel-kill", Map.of()));
        LocalSystem.Node proxy = system.proxy("proxy-kill");
        LocalSystem.Node tunnel = tunnelStart.join();
        LocalSystem.Node connector = system.connector(
                "connector-kill",
                system.connectorYaml(tunnel.port(), "kill", 1, mapping("app", 8080, backend.port(), "HTTP")),
                true);
        system.awaitRegistered(proxy, "kill", 1);
        long size = 512L * 1024 * 1024;
        try (RawHttp raw = new RawHttp(proxy.port())) {
            String head = raw.send("GET http://app:8080/bytes/" + size + " HTTP/1.1\r\nHost: app\r\n"
                            + "SAP-Connectivity-SCC-Location_ID: kill\r\n\r\n")
                    .readHead();
            assertEquals(200, RawHttp.status(head), head);
            assertEquals(size, RawHttp.contentLength(head));
            assertEquals(1024 * 1024, raw.readBody(1024 * 1024));
            connector.process().kill();
            long rest = raw.readToEof(30_000);
            assertTrue(rest >= 0, "the proxy must close the connection once the connector is gone");
            assertTrue(1024 * 1024 + rest < size, "the body must end short of its Content-Length");
        }
        proxy.process().await("requests for the location get 503", Duration.ofSeconds(30), () -> {
            try {
                return Curl.run(
                                        client,
                                        "-x",
                                        "http://127.0.0.1:" + proxy.port(),
                                        "-H",
                                        "SAP-Connectivity-SCC-Location_ID: kill",
                                        "http://app:8080/")
                                .status()
                        == 503;
            } catch (Exception e) {
                return false;
            }
        });
        tunnel.process().close();
        proxy.process().close();
    }

    /**
     * tunnel-service, the only replica, restarts (SIGTERM): the connector reconnects by itself.
     * Then it is killed (SIGKILL) and stays away for 8 s plus its start (12 s or more), long enough
     * for the exponential backoff alone to have grown to 8-16 s: a connector with the product's
     * reconnect defaults is
     * serving again soon after tunnel-service is ready, thanks to its fast phase (issue 13).
     */
    @Test
    void theConnectorReconnectsByItselfAfterTunnelServiceRestarts() throws Exception {
        int tunnelPort = LocalSystem.freePort();
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel-restart", tunnelPort, Map.of()));
        LocalSystem.Node proxy = system.proxy("proxy-restart");
        LocalSystem.Node tunnel = tunnelStart.join();
        // Started side by side: the product connector's session is awaited through the registry.
        LocalSystem.Node productConnector = system.connector(
                "connector-product",
                LocalSystem.productReconnect(
                        system.connectorYaml(tunnelPort, "product", 1, mapping("app", 8080, backend.port(), "HTTP"))),
                false);
        LocalSystem.Node connector = system.connector(
                "connector-restart",
                system.connectorYaml(tunnelPort, "", 1, mapping("app", 8080, backend.port(), "HTTP")),
                true);
        system.awaitRegistered(proxy, "", 1);
        system.awaitRegistered(proxy, "product", 1);
        String proxyUrl = "http://127.0.0.1:" + proxy.port();
        assertEquals(
                200, Curl.run(client, "-x", proxyUrl, "http://app:8080/before").status());

        tunnel.process().close();
        assertTrue(
                tunnel.process().logContains("session closed"), tunnel.process().tail());
        connector.process().await("the connector notices and backs off", Duration.ofSeconds(30), () -> connector
                .process()
                .logContains("reconnecting in"));
        assertEquals(
                503,
                Curl.run(client, "-x", proxyUrl, "http://app:8080/while-down").status());

        tunnel = system.tunnel("tunnel-restart-2", tunnelPort, Map.of());
        connector.process().await("a request goes through again", Duration.ofSeconds(60), () -> {
            try {
                return Curl.run(client, "-x", proxyUrl, "http://app:8080/after").status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(
                2,
                connector
                        .process()
                        .logText()
                        .lines()
                        .filter(l -> l.contains("session 0 established"))
                        .count());
        system.awaitRegistered(proxy, "product", 1);
        assertEquals(200, product(proxyUrl, "/before-kill"));

        // SIGKILL: no GOAWAY, the sessions just drop. Requests fail while it is away, never hang.
        int logBefore = productConnector.process().logText().length();
        tunnel.process().kill();
        long killed = System.nanoTime();
        int whileDown = 0;
        while (System.nanoTime() - killed < AWAY.toNanos()) {
            int status = product(proxyUrl, "/while-killed");
            assertTrue(status == 503 || status == 502 || status == 504, "while tunnel-service is away: " + status);
            whileDown++;
        }
        tunnel = system.tunnel("tunnel-restart-3", tunnelPort, Map.of());
        long ready = System.nanoTime();
        productConnector.process().await("a request goes through the product connector again", SERVED, () -> {
            try {
                return product(proxyUrl, "/after-kill") == 200;
            } catch (Exception e) {
                return false;
            }
        });
        long servedAfter = System.nanoTime() - ready;
        System.out.printf(
                "fast reconnect: tunnel-service away %d ms (killed to ready), %d requests refused meanwhile;"
                        + " first 200 %d ms after it was ready%n",
                (ready - killed) / 1_000_000, whileDown, servedAfter / 1_000_000);

        // Every wait while tunnel-service was away was a fast one, none above fastMaxDelay (1.5 s).
        List<Long> delays = RECONNECT_DELAY
                .matcher(productConnector.process().logText().substring(logBefore))
                .results()
                .map(m -> {
                    assertEquals(", fast phase", m.group(2), m.group());
                    return Long.parseLong(m.group(1));
                })
                .toList();
        assertTrue(delays.size() >= 5, "reconnect attempts while away: " + delays);
        assertTrue(delays.stream().allMatch(d -> d >= 250 && d <= 1500), "delays " + delays);
        // Today's exponential backoff alone misses this most of the time (measured 5.3 s); the fast
        // phase takes at most 1.5 s plus the handshake. The 2 s target is documented, not asserted.
        assertTrue(servedAfter < FAST_BOUND.toNanos(), "first 200 " + servedAfter / 1_000_000 + " ms after ready");
        productConnector.process().close();
        connector.process().close();
        proxy.process().close();
    }

    /** The status of a request for the product connector's location. */
    private static int product(String proxyUrl, String path) throws Exception {
        return Curl.run(
                        client,
                        "-x",
                        proxyUrl,
                        "--max-time",
                        "5",
                        "-H",
                        "SAP-Connectivity-SCC-Location_ID: product",
                        "http://app:8080" + path)
                .status();
    }
}
