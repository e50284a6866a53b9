package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The link between a connector and tunnel-service failing the ways real links fail, through a
 * {@link ChaosRelay}, with the product's default liveness settings (ping every 2 s, a session
 * silent for 6 s is dead): a half-open link (the peer gone without a FIN or RST) is noticed by
 * both sides and requests get 503 instead of hanging; a reset link is noticed at once; a slow
 * link is not mistaken for a dead one; and the connector reconnects by itself once the link is
 * back.
 */
class LinkFailureIT {

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("link-failure");

    /** Detection takes 6–8 s with the defaults; the margin is for a loaded 2-core machine. */
    private static final Duration NOTICED = Duration.ofSeconds(15);

    private static final Duration BACK = Duration.ofSeconds(60);

    static LocalSystem system;
    static TestBackend backend;
    static LocalSystem.Node tunnel;
    static LocalSystem.Node proxy;
    static Path client;

    ChaosRelay relay;
    LocalSystem.Node connector;

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend(e2e.vertx(), "A");
        system = e2e.system();
        client = system.dir.resolve("client");
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        proxy = system.proxy("proxy");
        tunnel = tunnelStart.join();
    }

    @BeforeEach
    void connectThroughTheRelay() {
        relay = new ChaosRelay("link", tunnel.port());
        // The defaults of the product, not the tests' quicker ones.
        String yaml = system.connectorYaml(relay.port(), "", 1, mapping("app", 8080, backend.port(), "HTTP"))
                .replace("  pingInterval: 1s\n", "")
                .replace("  idleTimeout: 5s\n", "");
        connector = system.connector("connector-" + System.nanoTime(), yaml, true);
        system.awaitRegistered(proxy, "", 1);
    }

    @AfterEach
    void closeTheLink() {
        connector.process().close();
        relay.close();
        system.awaitRegistered(proxy, "", 0);
    }

    @Test
    void aHalfOpenLinkIsNoticedAndRequestsGet503UntilTheConnectorIsBack() throws Exception {
        assertEquals(200, get("/before"));
        relay.blackhole();
        proxy.process()
                .await(
                        "requests get 503 once the half-open session is noticed",
                        NOTICED,
                        () -> get("/while-blackholed") == 503);
        assertTrue(
                tunnel.process().logContains("(ping timeout)"), tunnel.process().tail());
        connector.process().await("the connector notices too", NOTICED, () -> connector
                .process()
                .logContains("no frame from tunnel-service"));

        relay.pass();
        proxy.process().await("a request goes through again", BACK, () -> get("/after") == 200);
    }

    @Test
    void aResetLinkIsNoticedAtOnceAndTheConnectorReconnects() throws Exception {
        assertEquals(200, get("/before"));
        long accepted = relay.accepted();
        relay.reset();
        proxy.process().await("requests get 503", NOTICED, () -> get("/while-reset") == 503);

        relay.pass();
        proxy.process().await("a request goes through again", BACK, () -> get("/after") == 200);
        assertTrue(relay.accepted() > accepted, "the connector dialled again, through the relay");
    }

    @Test
    void aSlowLinkIsNotMistakenForADeadOne() throws Exception {
        assertEquals(200, get("/before"));
        // Each chunk waits 1 s in each direction: a ping's round trip takes 2 s, within the 6 s timeout.
        relay.delay(Duration.ofSeconds(1));
        long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        int requests = 0;
        while (System.nanoTime() < until) {
            assertEquals(200, get("/slow-" + requests, "10"));
            requests++;
        }
        relay.pass();
        assertEquals(200, get("/after"));
        assertEquals(1, relay.accepted(), "the one session outlived the slow link: no reconnect");
        assertEquals(
                1,
                connector
                        .process()
                        .logText()
                        .lines()
                        .filter(l -> l.contains("established"))
                        .count(),
                connector.process().tail());
    }

    private int get(String path) {
        return get(path, "3");
    }

    private int get(String path, String maxTime) {
        try {
            return Curl.run(
                            client,
                            "-x",
                            "http://127.0.0.1:" + proxy.port(),
                            "--max-time",
                            maxTime,
                            "http://app:8080" + path)
                    .status();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
