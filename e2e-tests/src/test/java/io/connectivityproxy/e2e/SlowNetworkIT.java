package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connector far from tunnel-service: a {@link ChaosRelay} between them adds 50 ms to every byte
 * in each direction (a 100 ms round trip, as to a distant data centre), without limiting the
 * throughput of the link itself. Downloads through the HTTP proxy then move at most one window per
 * round trip; the tests show that a 100 MB download arrives intact either way, that proxy-service
 * grows the window of a stream the window holds back (and does not when told to keep it fixed),
 * and print the throughput next to the window / RTT bound (README, docs/tunnel-protocol.md
 * section 7). Speed is measured here, not asserted.
 */
class SlowNetworkIT {

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("slow-network");

    private static final Duration ONE_WAY = Duration.ofMillis(50);
    private static final long SIZE = 100L * 1000 * 1000;
    /** With the fixed window a quarter is enough to show its bound, and keeps the suite a minute shorter. */
    private static final long FIXED_WINDOW_SIZE = 25L * 1000 * 1000;

    private static final int WINDOW = 256 * 1024;
    private static final int MAX_WINDOW = 4 * 1024 * 1024;

    static LocalSystem system;
    static ChaosRelay relay;
    static LocalSystem.Node growing;
    static LocalSystem.Node fixed;
    static Path client;

    @BeforeAll
    static void start() throws Exception {
        system = e2e.system();
        client = system.dir.resolve("client");
        TestBackend backend = new TestBackend(e2e.vertx(), "far");
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        // The defaults, spelled out so that the printed figures say what they were measured with.
        growing = system.proxy(
                "proxy-growing",
                Map.of("proxy.window", Integer.toString(WINDOW), "proxy.max-window", Integer.toString(MAX_WINDOW)));
        fixed = system.proxy(
                "proxy-fixed",
                Map.of("proxy.window", Integer.toString(WINDOW), "proxy.max-window", Integer.toString(WINDOW)));
        LocalSystem.Node tunnel = tunnelStart.join();
        relay = new ChaosRelay("far", tunnel.port());
        relay.latency(ONE_WAY);
        system.connector(
                "connector",
                system.connectorYaml(relay.port(), "", 1, mapping("app", 8080, backend.port(), "HTTP")),
                true);
        system.awaitRegistered(growing, "", 1);
        system.awaitRegistered(fixed, "", 1);
    }

    @AfterAll
    static void stop() {
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void aHundredMegabyteDownloadOverALinkWith50MsEachWayArrivesIntactAsTheWindowGrows() throws Exception {
        double growth = download(growing, MAX_WINDOW, SIZE);
        assertTrue(growth > 0, "proxy-service grew the window of the stream the round trip held back");
    }

    @Test
    void withAFixedWindowADownloadArrivesIntactAndTheWindowStaysPut() throws Exception {
        double growth = download(fixed, WINDOW, FIXED_WINDOW_SIZE);
        assertEquals(0, growth, "proxy.max-window = proxy.window: no growth");
    }

    /** Downloads {@code size} bytes through {@code proxy}; checks every byte; prints the figures; returns the window growth. */
    private static double download(LocalSystem.Node proxy, int maxWindow, long size) throws Exception {
        String proxyUrl = "http://127.0.0.1:" + proxy.port();
        long small = System.nanoTime();
        Curl.Result first = Curl.run(client, "-x", proxyUrl, "http://app:8080/first");
        long roundTrip = System.nanoTime() - small;
        assertEquals(200, first.status(), first.stderr());
        double growthBefore = IdleState.sum(proxy.metrics(), "cp_proxy_window_growth_bytes_total");

        long started = System.nanoTime();
        Curl.Result result = Curl.run(client, "--max-time", "600", "-x", proxyUrl, "http://app:8080/bytes/" + size);
        long elapsed = System.nanoTime() - started;
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals(200, result.status(), result.stderr());
        long[] length = new long[1];
        String sha;
        try (InputStream in = Files.newInputStream(result.body())) {
            sha = Payload.sha256(in, length);
        }
        Files.delete(result.body());
        assertEquals(size, length[0]);
        assertEquals(Payload.sha256(size), sha, "every byte arrived as the backend sent it");
        assertEquals(ChaosRelay.Mode.LATENCY, relay.mode());
        assertEquals(1, relay.accepted(), "the connector's one session ran through the delaying relay throughout");

        double growth = IdleState.sum(proxy.metrics(), "cp_proxy_window_growth_bytes_total") - growthBefore;
        double seconds = elapsed / 1e9;
        double rtt = 2 * ONE_WAY.toNanos() / 1e9;
        System.out.printf(
                "slow network (%d ms each way, a small request took %d ms): %d MB in %.1f s = %.1f MB/s with"
                        + " proxy.window=%d proxy.max-window=%d (bound max-window / RTT = %.1f MB/s); window growth"
                        + " granted %.0f bytes%n",
                ONE_WAY.toMillis(),
                roundTrip / 1_000_000,
                size / 1_000_000,
                seconds,
                size / seconds / 1e6,
                WINDOW,
                maxWindow,
                maxWindow / rtt / 1e6,
                growth);
        return growth;
    }
}
