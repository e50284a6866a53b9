package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.vertx.core.Vertx;

/**
 * The HTTP proxy end to end: real tunnel-service and proxy-service processes (-Xmx256m each),
 * two connectors at two locations, backends on real sockets, curl and the JDK client as users.
 */
class HttpProxyIT {

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("http-proxy");

    static Vertx vertx;
    static LocalSystem system;
    static TestBackend backendA;
    static TestBackend backendB;
    static TestBackend stallBackend;
    static LocalSystem.Node tunnel;
    static LocalSystem.Node proxy;
    static LocalSystem.Node connector;
    static LocalSystem.Node connectorB;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        backendA = new TestBackend(vertx, "A");
        backendB = new TestBackend(vertx, "B");
        stallBackend = new TestBackend(vertx, "stall");
        system = e2e.system();
        work = system.dir.resolve("client");
        var tunnelStart = system.inBackground(() -> system.tunnel("tunnel", Map.of()));
        proxy = system.proxy("proxy");
        tunnel = tunnelStart.join();
        int down = LocalSystem.freePort();
        var connectorBStart = system.inBackground(() -> system.connector(
                "connector-loc-b",
                system.connectorYaml(tunnel.port(), "loc-b", 1, mapping("app-a", 8080, backendB.port(), "HTTP")),
                true));
        connector = system.connector(
                "connector-default",
                system.connectorYaml(
                        tunnel.port(),
                        "",
                        1,
                        mapping("app-a", 8080, backendA.port(), "HTTP"),
                        mapping("limited", 8080, backendA.port(), "HTTP", "/api/*", "/exact"),
                        mapping("down", 8080, down, "HTTP"),
                        mapping("stall", 8080, stallBackend.port(), "HTTP"),
                        mapping("raw-only", 8080, backendA.port(), "TCP"),
                        mapping("internal-host", 8080, backendA.port(), "HTTP") + "    hostHeader: INTERNAL\n"),
                true);
        connectorB = connectorBStart.join();
        system.awaitRegistered(proxy, "", 1);
        system.awaitRegistered(proxy, "loc-b", 1);
    }

    private static String proxyUrl() {
        return "http://127.0.0.1:" + proxy.port();
    }

    @Test
    void getReachesTheMappedBackendWithTheVirtualHostHeader() throws Exception {
        Curl.Result result = Curl.run(work, "-x", proxyUrl(), "http://app-a:8080/hello?x=1");
        assertEquals(200, result.status(), result.stderr());
        assertEquals("backend A GET /hello?x=1\n", result.text());

        Curl.Result headers = Curl.run(
                work,
                "-x",
                proxyUrl(),
                "-H",
                "Proxy-Authorization: Bearer secret",
                "-H",
                "X-Custom: kept",
                "http://app-a:8080/headers");
        assertTrue(headers.text().contains("host: app-a:8080\n"), headers.text());
        assertTrue(headers.text().contains("x-custom: kept\n"), headers.text());
        assertTrue(!headers.text().contains("proxy-authorization"), headers.text());
        assertTrue(!headers.text().contains("sap-connectivity"), headers.text());
    }

    @Test
    void internalHostHeaderCarriesTheVirtualHostInXForwardedHost() throws Exception {
        Curl.Result headers = Curl.run(work, "-x", proxyUrl(), "http://internal-host:8080/headers");
        assertEquals(200, headers.status());
        assertTrue(headers.text().contains("host: 127.0.0.1:" + backendA.port() + "\n"), headers.text());
        assertTrue(headers.text().contains("x-forwarded-host: internal-host:8080\n"), headers.text());
    }

    @Test
    void post50MegabytesComesBackIntact() throws Exception {
        Path upload = work.resolve("upload.bin");
        Files.createDirectories(work);
        try (var out = Files.newOutputStream(upload)) {
            byte[] block = new byte[Payload.BLOCK];
            for (long offset = 0; offset < 50L * 1024 * 1024; offset += block.length) {
                Payload.fill(block, offset);
                out.write(block);
            }
        }
        Curl.Result result = Curl.run(
                work,
                "-x",
                proxyUrl(),
                "--data-binary",
                "@" + upload,
                "-H",
                "Content-Type: application/octet-stream",
                "http://app-a:8080/echo");
        assertEquals(200, result.status(), result.stderr());
        long[] length = new long[1];
        try (InputStream in = Files.newInputStream(result.body())) {
            assertEquals(Payload.sha256(50L * 1024 * 1024), Payload.sha256(in, length));
        }
        assertEquals(50L * 1024 * 1024, length[0]);
    }

    @Test
    void download200MegabytesIsStreamedIntact() throws Exception {
        long size = 200L * 1024 * 1024;
        Curl.Result result = Curl.run(work, "-x", proxyUrl(), "http://app-a:8080/bytes/" + size);
        assertEquals(200, result.status(), result.stderr());
        assertEquals(0, result.exitCode(), result.stderr());
        long[] length = new long[1];
        try (InputStream in = Files.newInputStream(result.body())) {
            assertEquals(Payload.sha256(size), Payload.sha256(in, length));
        }
        assertEquals(size, length[0]);
        Files.delete(result.body());
    }

    @Test
    void twoHundredConcurrentRequestsReachTheBackendOfTheirLocation() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port())))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://app-a:8080/n/" + i))
                    .timeout(Duration.ofSeconds(60));
            if (i % 2 == 1) {
                request.header("SAP-Connectivity-SCC-Location_ID", "loc-b");
            }
            responses.add(client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> response = responses.get(i).get();
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("backend " + (i % 2 == 1 ? "B" : "A") + " GET /n/" + i + "\n", response.body());
        }
    }

    /** Found by the benchmark: a completed exchange must give its backend connection back, not close it. */
    @Test
    void sequentialRequestsReuseOneKeptAliveBackendConnection() throws Exception {
        int before = backendB.connections.get();
        String reused = "cp_connector_backend_connections_total\\{event=\"reused\"\\}";
        double reusedBefore = metricValue(connectorB.metrics(), reused);
        for (int i = 0; i < 20; i++) {
            Curl.Result result = Curl.run(
                    work,
                    "-x",
                    proxyUrl(),
                    "-H",
                    "SAP-Connectivity-SCC-Location_ID: loc-b",
                    "http://app-a:8080/seq/" + i);
            assertEquals(200, result.status(), result.stderr());
            assertEquals("backend B GET /seq/" + i + "\n", result.text());
        }
        int opened = backendB.connections.get() - before;
        assertTrue(opened <= 1, "20 sequential requests opened " + opened + " backend connections");
        assertTrue(
                metricValue(connectorB.metrics(), reused) >= reusedBefore + 19,
                "the connector reports the reuse: " + metricValue(connectorB.metrics(), reused));
    }

    @Test
    void unknownLocationIs503() throws Exception {
        Curl.Result result = Curl.run(
                work, "-x", proxyUrl(), "-H", "SAP-Connectivity-SCC-Location_ID: nowhere", "http://app-a:8080/");
        assertEquals(503, result.status());
        assertEquals("No connector connected for subaccount dev-subaccount and location nowhere\n", result.text());
    }

    @Test
    void unmappedHostPortOrPathIs403WithTheReason() throws Exception {
        Curl.Result host = Curl.run(work, "-x", proxyUrl(), "http://nothere:8080/");
        assertEquals(403, host.status());
        assertTrue(host.text().startsWith("Access denied to system nothere:8080"), host.text());

        Curl.Result port = Curl.run(work, "-x", proxyUrl(), "http://app-a:9999/");
        assertEquals(403, port.status());
        assertTrue(port.text().startsWith("Access denied to system app-a:9999"), port.text());

        Curl.Result path = Curl.run(work, "-x", proxyUrl(), "http://limited:8080/other");
        assertEquals(403, path.status());
        assertTrue(path.text().contains("path /other is not allowed"), path.text());
        assertEquals(
                403,
                Curl.run(work, "-x", proxyUrl(), "http://limited:8080/exact/below")
                        .status());
        assertEquals(
                403,
                Curl.run(work, "-x", proxyUrl(), "--path-as-is", "http://limited:8080/api/../secret")
                        .status());
        assertEquals(
                200,
                Curl.run(work, "-x", proxyUrl(), "http://limited:8080/api/v1/items")
                        .status());
        assertEquals(
                200,
                Curl.run(work, "-x", proxyUrl(), "http://limited:8080/exact").status());

        Curl.Result protocol = Curl.run(work, "-x", proxyUrl(), "http://raw-only:8080/");
        assertEquals(403, protocol.status());
        assertTrue(protocol.text().contains("protocol TCP"), protocol.text());

        String metrics = proxy.metrics();
        assertTrue(
                metricValue(metrics, "cp_proxy_stream_open_failures_total\\{reason=\"NO_MAPPING\"\\}") >= 2, metrics);
    }

    @Test
    void unreachableBackendIs502() throws Exception {
        Curl.Result result = Curl.run(work, "-x", proxyUrl(), "http://down:8080/");
        assertEquals(502, result.status());
        assertTrue(result.text().startsWith("backend of down:8080 is unreachable"), result.text());
    }

    @Test
    void malformedRequestsGetTheirStatusAndTheProxyKeepsServing() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port())) {
            String answer = raw.send("GET https://app-a:8080/ HTTP/1.1\r\nHost: app-a:8080\r\n\r\n")
                    .readResponse();
            assertEquals(405, RawHttp.status(answer), answer);
            assertTrue(answer.contains("https:// request targets are not supported"), answer);
        }
        try (RawHttp raw = new RawHttp(proxy.port())) {
            String answer = raw.send("GARBAGE\r\n\r\n").readResponse();
            assertEquals(400, RawHttp.status(answer), answer);
        }
        try (RawHttp raw = new RawHttp(proxy.port())) {
            String answer = raw.send("\u0001\u0002\u0003 nonsense\r\n\r\n").readResponse();
            assertEquals(400, RawHttp.status(answer), answer);
        }
        try (RawHttp raw = new RawHttp(proxy.port())) {
            String answer = raw.send("GET /relative HTTP/1.1\r\nHost: app-a:8080\r\n\r\n")
                    .readHead();
            assertEquals(400, RawHttp.status(answer), answer);
        }
        Curl.Result big = Curl.run(work, "-x", proxyUrl(), "-H", "X-Big: " + "a".repeat(9000), "http://app-a:8080/");
        assertEquals(431, big.status());
        assertTrue(big.text().contains("exceeds 8192 bytes"), big.text());
        Curl.Result longLine = Curl.run(work, "-x", proxyUrl(), "http://app-a:8080/" + "p".repeat(9000));
        assertEquals(431, longLine.status());

        assertEquals(
                200,
                Curl.run(work, "-x", proxyUrl(), "http://app-a:8080/still-serving")
                        .status());
    }

    @Test
    void backendDroppingMidResponseIsAnIncompleteResponseNeverAShortComplete() throws Exception {
        try (RawHttp raw = new RawHttp(proxy.port())) {
            String head = raw.send("GET http://app-a:8080/abort/100000 HTTP/1.1\r\nHost: app-a:8080\r\n\r\n")
                    .readHead();
            assertEquals(200, RawHttp.status(head), head);
            assertEquals(200000, RawHttp.contentLength(head));
            long received = raw.readToEof(30_000);
            assertTrue(received >= 0 && received < 200000, "connection must close short of the length: " + received);
        }
        Curl.Result curl = Curl.run(work, "-x", proxyUrl(), "http://app-a:8080/abort/100000");
        assertEquals(18, curl.exitCode(), "curl reports a partial transfer: " + curl.stderr());
    }

    @Test
    void aStalledClientDoesNotStopOtherStreamsOnTheSameSessionAndIsNotBuffered() throws Exception {
        long huge = 1024L * 1024 * 1024;
        try (RawHttp stalled = new RawHttp(proxy.port())) {
            stalled.socket.setReceiveBufferSize(64 * 1024);
            String head = stalled.send("GET http://stall:8080/bytes/" + huge + " HTTP/1.1\r\nHost: stall\r\n\r\n")
                    .readHead();
            assertEquals(200, RawHttp.status(head), head);
            // The client now reads nothing more. Another request on the same session must still flow.
            long size = 20L * 1024 * 1024;
            Curl.Result other = Curl.run(work, "-x", proxyUrl(), "http://app-a:8080/bytes/" + size);
            assertEquals(200, other.status(), other.stderr());
            long[] length = new long[1];
            try (InputStream in = Files.newInputStream(other.body())) {
                assertEquals(Payload.sha256(size), Payload.sha256(in, length));
            }
            // Back-pressure reached the backend: what it wrote is bounded by windows and socket
            // buffers, not by the 1 GiB it was asked for.
            long written = stallBackend.written.get();
            assertTrue(written < 64L * 1024 * 1024, "backend wrote " + written + " bytes for a stalled client");
        }
        proxy.process()
                .await(
                        "the stalled stream is released",
                        Duration.ofSeconds(30),
                        () -> metricValue(proxy.metrics(), "cp_proxy_streams_open") == 0);
    }

    @Test
    void metricsAndAdminShowSessionsAndTraffic() throws Exception {
        assertEquals(200, Curl.run(work, "-x", proxyUrl(), "http://app-a:8080/").status());
        String tunnelMetrics = tunnel.metrics();
        assertEquals(2.0, metricValue(tunnelMetrics, "connectivity_business_data_tunnels_count"), tunnelMetrics);
        assertEquals(
                1.0,
                metricValue(tunnelMetrics, "cp_tunnel_sessions\\{location=\"loc-b\",subaccount=\"dev-subaccount\"\\}"),
                tunnelMetrics);
        assertTrue(metricValue(tunnelMetrics, "cp_tunnel_bytes_total\\{direction=\"from_connector\"\\}") > 0);
        String sessions = tunnel.admin("/admin/sessions");
        assertTrue(sessions.contains("\"connector\" : \"connector-default\""), sessions);
        assertTrue(sessions.contains("\"connector\" : \"connector-loc-b\""), sessions);
        String proxyAdmin = proxy.admin("/admin/streams");
        assertTrue(proxyAdmin.contains("\"dev-subaccount/loc-b\""), proxyAdmin);
        assertTrue(metricValue(proxy.metrics(), "cp_proxy_bytes_total\\{direction=\"to_client\"\\}") > 0);
    }

    /**
     * A bulk transfer each way makes the receiving side's windows grow (both directions are held
     * back by their 256 KiB window at first), the metrics show it, and every byte of growth is back
     * in the budget once the streams are done. The logs say which TLS engine carries the tunnel.
     */
    @Test
    void windowsGrowForBulkTransfersAndGiveTheGrowthBack() throws Exception {
        double proxyGrowth = metricValue(proxy.metrics(), "cp_proxy_window_growth_bytes_total");
        double connectorGrowth = metricValue(connector.metrics(), "cp_connector_window_growth_bytes_total");
        long size = 64L * 1024 * 1024;
        Curl.Result download = Curl.run(work, "-x", proxyUrl(), "http://app-a:8080/bytes/" + size);
        assertEquals(200, download.status(), download.stderr());
        Curl.Result upload = Curl.run(
                work,
                "-x",
                proxyUrl(),
                "--data-binary",
                "@" + download.body(),
                "-H",
                "Content-Type: application/octet-stream",
                "http://app-a:8080/echo");
        assertEquals(200, upload.status(), upload.stderr());
        Files.delete(download.body());
        Files.delete(upload.body());

        assertTrue(
                metricValue(proxy.metrics(), "cp_proxy_window_growth_bytes_total") > proxyGrowth,
                "the proxy's windows grew for the download");
        assertTrue(
                metricValue(connector.metrics(), "cp_connector_window_growth_bytes_total") > connectorGrowth,
                "the connector's windows grew for the upload");
        double budget = 64.0 * 1024 * 1024;
        proxy.process()
                .await(
                        "the proxy's window budget is whole again",
                        Duration.ofSeconds(30),
                        () -> metricValue(proxy.metrics(), "cp_proxy_window_budget_available_bytes") == budget);
        connector
                .process()
                .await(
                        "the connector's window budget is whole again",
                        Duration.ofSeconds(30),
                        () -> metricValue(connector.metrics(), "cp_connector_window_budget_available_bytes") == budget);

        assertTrue(
                tunnel.process().logText().contains("(mutual TLS, BoringSSL)"),
                tunnel.process().tail());
        // The native connector has no BoringSSL (README "Native images") and says it runs the JDK's engine.
        String engine = ManagedProcess.NATIVE_CONNECTOR ? "(TLS: JDK engine)" : "(TLS: BoringSSL)";
        assertTrue(
                connector.process().logText().contains(engine),
                connector.process().tail());
    }

    /** The value of the first Prometheus sample matching {@code nameAndLabels}, or -1. */
    static double metricValue(String metrics, String nameAndLabels) {
        Matcher matcher =
                Pattern.compile("(?m)^" + nameAndLabels + " ([0-9.eE+-]+)$").matcher(metrics);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
    }
}
