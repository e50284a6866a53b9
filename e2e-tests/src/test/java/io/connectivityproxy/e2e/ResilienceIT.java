package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

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

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        backend = new TestBackend(vertx, "A");
        system = e2e.system();
        client = system.dir.resolve("client");
    }

    @Test
    void killedConnectorMidResponseGivesAnIncompleteResponseAndThen503() throws Exception {
        LocalSystem.Node tunnel = system.tunnel("tunnel-kill", Map.of());
        LocalSystem.Node proxy = system.proxy("proxy-kill");
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

    @Test
    void theConnectorReconnectsByItselfAfterTunnelServiceRestarts() throws Exception {
        int tunnelPort = LocalSystem.freePort();
        LocalSystem.Node tunnel = system.tunnel("tunnel-restart", tunnelPort, Map.of());
        LocalSystem.Node proxy = system.proxy("proxy-restart");
        LocalSystem.Node connector = system.connector(
                "connector-restart",
                system.connectorYaml(tunnelPort, "", 1, mapping("app", 8080, backend.port(), "HTTP")),
                true);
        system.awaitRegistered(proxy, "", 1);
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

        system.tunnel("tunnel-restart-2", tunnelPort, Map.of());
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
        connector.process().close();
        proxy.process().close();
    }
}
