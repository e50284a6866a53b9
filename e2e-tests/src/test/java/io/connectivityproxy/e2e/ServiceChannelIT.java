package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.vertx.core.Vertx;

/**
 * Service channels end to end, with real processes and sockets: on-premise clients connect to the
 * connector's local ports and reach stand-ins for cluster services through tunnel-service, which
 * resolves each service id against a ServiceMapping file it watches.
 */
class ServiceChannelIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MANY = 1000;

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("service-channels");

    private static Vertx vertx;
    private static LocalSystem system;
    private static LocalSystem.Node tunnel;
    private static LocalSystem.Node proxy;
    private static LocalSystem.Node connector;
    private static Path mappingsFile;
    private static ClusterService echo;
    private static ClusterService source;
    private static ClusterService greeter;
    private static TestBackend backend;
    private static int deadPort;
    /** What {@link #greeter} received from each client after its own half-close. */
    private static final LinkedBlockingQueue<String> greeted = new LinkedBlockingQueue<>();
    /** Local ports of the connector's channels, by service id. */
    private static final Map<String, Integer> ports = new java.util.HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        echo = new ClusterService(ClusterService.ECHO);
        // Sends 64 MiB of payload as fast as the client takes it, then closes.
        source = new ClusterService((socket, in, out) -> {
            byte[] block = new byte[Payload.BLOCK];
            for (long offset = 0; offset < 64L * 1024 * 1024; offset += block.length) {
                Payload.fill(block, offset);
                out.write(block);
            }
        });
        // Greets, half-closes its output, then reads what the client still sends.
        greeter = new ClusterService((socket, in, out) -> {
            out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.shutdownOutput();
            greeted.add(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        });
        backend = new TestBackend(vertx, "on-premise");
        deadPort = LocalSystem.freePort();
        system = e2e.system();
        mappingsFile = system.dir.resolve("service-mappings.yaml");
        writeMappings(baseMappings());
        var tunnelStart = system.inBackground(() -> system.tunnel(
                "tunnel",
                Map.of(
                        "tunnel.service-channels.mappings-file",
                        mappingsFile.toString(),
                        "tunnel.service-channels.default-subaccount",
                        LocalSystem.SUBACCOUNT,
                        "tunnel.service-channels.poll-interval",
                        "500ms")));
        proxy = system.proxy("proxy");
        tunnel = tunnelStart.join();
        for (String id : List.of("echo", "source", "greeter", "late", "nope", "plant-only", "foreign", "dead")) {
            ports.put(id, LocalSystem.freePort());
        }
        StringBuilder channels = new StringBuilder("serviceChannels:\n");
        ports.forEach((id, port) -> channels.append("  - serviceId: ")
                .append(id)
                .append("\n    type: TCP\n")
                .append("    localPort: ")
                .append(port)
                .append("\n    maxConnections: ")
                .append(MANY + 100)
                .append('\n'));
        // One session, so that every channel stream of a test shares it.
        connector = system.connector(
                "connector",
                system.connectorYaml(tunnel.port(), "", 1, mapping("app", 8080, backend.port(), "HTTP")) + channels,
                true);
        system.awaitRegistered(proxy, "", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable service : new AutoCloseable[] {echo, source, greeter, backend}) {
            if (service != null) {
                service.close();
            }
        }
    }

    // ---- data -----------------------------------------------------------------------------------

    @Test
    void hundredMegabytesUpAndBackAreIntact() throws Exception {
        long size = 100L * 1024 * 1024;
        try (Socket socket = channel("echo")) {
            Future<?> upload = background(() -> {
                OutputStream out = socket.getOutputStream();
                byte[] block = new byte[Payload.BLOCK];
                for (long offset = 0; offset < size; offset += block.length) {
                    Payload.fill(block, offset);
                    out.write(block);
                }
                socket.shutdownOutput();
                return null;
            });
            long[] length = new long[1];
            String received = Payload.sha256(socket.getInputStream(), length);
            upload.get(60, TimeUnit.SECONDS);
            assertEquals(size, length[0]);
            assertEquals(Payload.sha256(size), received);
        }
        assertTrue(sum(tunnel.metrics(), "cp_tunnel_channel_bytes_total") >= 2 * size);
        assertTrue(HttpProxyIT.metricValue(
                        connector.metrics(),
                        "cp_connector_channel_bytes_total\\{direction=\"to_cloud\",listen=\"127.0.0.1:"
                                + ports.get("echo") + "\",service=\"echo\"\\}")
                >= size);
    }

    @Test
    void aThousandConcurrentStreamsOnOneSession() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < MANY; i++) {
                Socket socket = channel("echo");
                socket.getOutputStream().write(message(i));
                sockets.add(socket);
            }
            // All of them are open at once, on the connector's one session.
            tunnel.process()
                    .await(
                            MANY + " channel streams are open",
                            WAIT,
                            () -> sum(tunnel.metrics(), "cp_tunnel_channel_streams_open") == MANY);
            assertTrue(
                    tunnel.admin("/admin/channels").contains("\"openStreams\" : " + MANY),
                    tunnel.admin("/admin/channels"));
            assertTrue(connector.admin("/admin/channels").contains("\"openConnections\" : " + MANY));
            for (Socket socket : sockets) {
                socket.shutdownOutput();
            }
            for (int i = 0; i < MANY; i++) {
                assertArrayEquals(message(i), sockets.get(i).getInputStream().readAllBytes(), "stream " + i);
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void aStalledClientDoesNotStopAnotherStreamOfTheSession() throws Exception {
        try (Socket stalled = channel("source")) {
            // It reads nothing: its stream fills its window and waits, the session carries on.
            connector
                    .process()
                    .await(
                            "the stalled stream is open",
                            WAIT,
                            () -> sum(connector.metrics(), "cp_connector_channel_streams_open") == 1);
            for (int round = 0; round < 20; round++) {
                try (Socket other = channel("echo")) {
                    byte[] message = message(round);
                    other.getOutputStream().write(message);
                    other.shutdownOutput();
                    assertArrayEquals(message, other.getInputStream().readAllBytes());
                }
            }
            // And nothing of the stalled stream was lost meanwhile.
            long[] length = new long[1];
            assertEquals(Payload.sha256(64L * 1024 * 1024), Payload.sha256(stalled.getInputStream(), length));
        }
    }

    @Test
    void halfCloseTravelsBothWays() throws Exception {
        // Client to cluster: the echo service still answers after the client's half-close.
        try (Socket socket = channel("echo")) {
            socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            assertEquals("ping", new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
        // Cluster to client: the greeter half-closes, and still receives what the client sends after.
        try (Socket socket = channel("greeter")) {
            InputStream in = socket.getInputStream();
            assertEquals("hello\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            socket.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            assertEquals("still here", greeted.poll(30, TimeUnit.SECONDS));
        }
    }

    // ---- mappings change at run time --------------------------------------------------------------

    @Test
    void aMappingAddedAtRunTimeServesWithinFiveSecondsAndARemovedOneLetsOpenStreamsFinish() throws Exception {
        assertRefused("late");
        writeMappings(baseMappings() + resource("late", "late", echo.address(), null, null));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!echoes("late")) {
            assertTrue(System.nanoTime() < deadline, "the new mapping was not usable within 5 s");
            ManagedProcess.pause();
        }
        try (Socket open = channel("late")) {
            open.getOutputStream().write("before".getBytes(StandardCharsets.US_ASCII));
            byte[] first = open.getInputStream().readNBytes(6);
            assertEquals("before", new String(first, StandardCharsets.US_ASCII));
            writeMappings(baseMappings());
            connector
                    .process()
                    .await("new connections to the removed mapping are refused", WAIT, () -> !echoes("late"));
            // The stream opened before the removal keeps working until it ends.
            open.getOutputStream().write("after".getBytes(StandardCharsets.US_ASCII));
            open.shutdownOutput();
            assertEquals("after", new String(open.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    // ---- refusals -------------------------------------------------------------------------------

    @Test
    void eachRefusalClosesTheClientAndIsLoggedOnceAndCounted() throws Exception {
        record Case(String serviceId, Reason reason, String logged) {}
        for (Case c : List.of(
                new Case("nope", Reason.UNKNOWN_SERVICE, "no service mapping for TCP service 'nope'"),
                new Case("foreign", Reason.UNKNOWN_SERVICE, "no service mapping for TCP service 'foreign'"),
                new Case("plant-only", Reason.LOCATION_NOT_ALLOWED, "is not open to location (default)"),
                new Case("dead", Reason.BACKEND_UNREACHABLE, "is unreachable: connection refused"))) {
            String metric = "cp_connector_channel_refusals_total\\{listen=\"127.0.0.1:" + ports.get(c.serviceId())
                    + "\",reason=\"" + c.reason() + "\",service=\"" + c.serviceId() + "\"\\}";
            double before = Math.max(0, HttpProxyIT.metricValue(connector.metrics(), metric));
            assertRefused(c.serviceId());
            assertRefused(c.serviceId());
            connector
                    .process()
                    .await(
                            c.serviceId() + ": both refusals are counted",
                            WAIT,
                            () -> HttpProxyIT.metricValue(connector.metrics(), metric) == before + 2);
            List<String> lines = connector
                    .process()
                    .logText()
                    .lines()
                    .filter(line -> line.contains("service channel " + c.serviceId() + " (")
                            && line.contains("connection refused: ")
                            && line.contains(c.logged()))
                    .toList();
            assertEquals(1, lines.size(), "logged once per cause: " + lines);
            assertTrue(lines.get(0).contains("(" + c.reason() + ")"), lines.get(0));
            String readiness = ManagedProcess.get(connector.health());
            assertTrue(readiness.contains(c.reason().name()), readiness);
        }
        // The internal address of a mapping never reaches the connector.
        assertTrue(
                !connector.process().logText().contains("127.0.0.1:" + deadPort),
                connector.process().tail());
    }

    @Test
    void aConnectorReachesNothingButMappedAddresses() throws Exception {
        int connectionsBefore = echo.connections.get();
        Path certs = system.certs;
        try (WsClient raw = WsClient.tls(
                vertx, certs.resolve("connector.pem"), certs.resolve("connector-key.pem"), certs.resolve("ca.pem"))) {
            assertEquals(101, raw.connect(tunnel.port()));
            raw.send(new Frame.Hello(2, "hostile", ""));
            assertInstanceOf(Frame.HelloOk.class, raw.next());
            String[] hostile = {
                echo.address(),
                "localhost:" + echo.port(),
                "tcp://" + echo.address(),
                "../echo",
                "echo\u0000",
                "ECHO",
                " echo",
                "echo ",
                "e".repeat(255),
                "\u00e9cho",
                "*",
                "127.0.0.1"
            };
            int streamId = 2;
            for (String id : hostile) {
                raw.send(new Frame.ChannelOpen(streamId, TargetProtocol.TCP, id, 65536));
                Frame.OpenFail fail = assertInstanceOf(Frame.OpenFail.class, raw.next(), id);
                assertEquals(streamId, fail.streamId());
                assertEquals(Reason.UNKNOWN_SERVICE, fail.reason(), id);
                streamId += 2;
            }
            // A real service id of another type is unknown too, and an HTTP channel is refused.
            raw.send(new Frame.ChannelOpen(streamId, TargetProtocol.RFC, "echo", 65536));
            assertEquals(
                    Reason.UNKNOWN_SERVICE,
                    assertInstanceOf(Frame.OpenFail.class, raw.next()).reason());
            raw.send(new Frame.ChannelOpen(streamId + 2, TargetProtocol.HTTP, "echo", 65536));
            assertEquals(
                    Reason.PROTOCOL_NOT_ALLOWED,
                    assertInstanceOf(Frame.OpenFail.class, raw.next()).reason());
        }
        assertEquals(connectionsBefore, echo.connections.get(), "no connection reached the cluster service");
    }

    // ---- protocol versions ------------------------------------------------------------------------

    @Test
    void aVersionOneConnectorStillServesTheCloudToOnPremiseDirection() throws Exception {
        LocalSystem.Node old = system.connector(
                "connector-v1",
                system.connectorYaml(tunnel.port(), "old", 1, mapping("app", 8080, backend.port(), "HTTP"))
                        .replace("  idleTimeout: 5s\n", "  idleTimeout: 5s\n  protocolVersion: 1\n"),
                true);
        try {
            system.awaitRegistered(proxy, "old", 1);
            Curl.Result result = Curl.run(
                    system.dir.resolve("client"),
                    "-x",
                    "http://127.0.0.1:" + proxy.port(),
                    "-H",
                    "SAP-Connectivity-SCC-Location_ID: old",
                    "http://app:8080/");
            assertEquals(200, result.status());
            assertTrue(tunnel.admin("/admin/sessions").contains("\"protocolVersion\" : 1"));
        } finally {
            old.process().close();
        }
        system.awaitRegistered(proxy, "old", 0);
        // A version 1 session that sends CHANNEL_OPEN anyway is a protocol error.
        Path certs = system.certs;
        try (WsClient raw = WsClient.tls(
                vertx, certs.resolve("connector.pem"), certs.resolve("connector-key.pem"), certs.resolve("ca.pem"))) {
            assertEquals(101, raw.connect(tunnel.port()));
            raw.send(new Frame.Hello(1, "old-raw", "old-raw"));
            assertEquals(1, assertInstanceOf(Frame.HelloOk.class, raw.next()).version());
            raw.send(new Frame.ChannelOpen(2, TargetProtocol.TCP, "echo", 65536));
            Frame.GoAway away = assertInstanceOf(Frame.GoAway.class, raw.next());
            assertEquals(Reason.PROTOCOL_ERROR, away.reason());
            assertEquals("CHANNEL_OPEN needs protocol version 2; this session speaks version 1", away.message());
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static String baseMappings() {
        return resource("echo", "echo", echo.address(), null, null)
                + resource("source", "source", source.address(), null, null)
                + resource("greeter", "greeter", greeter.address(), null, null)
                + resource("plant-only", "plant-only", echo.address(), List.of("plant-7"), null)
                + resource("foreign", "foreign", echo.address(), null, "other-subaccount")
                + resource("dead", "dead", "127.0.0.1:" + deadPort, List.of(""), null);
    }

    /** One ServiceMapping resource, as {@code kubectl apply -f} would take it. */
    private static String resource(
            String name, String serviceId, String address, List<String> locations, String subaccount) {
        StringBuilder yaml = new StringBuilder("---\napiVersion: connectivityproxy.sap.com/v1\nkind: ServiceMapping\n")
                .append("metadata:\n  name: ")
                .append(name)
                .append("\nspec:\n  type: TCP\n")
                .append("  serviceId: ")
                .append(serviceId)
                .append('\n')
                .append("  internalAddress: \"")
                .append(address)
                .append("\"\n");
        if (locations != null) {
            yaml.append("  locationIds:\n");
            locations.forEach(
                    location -> yaml.append("    - \"").append(location).append("\"\n"));
        }
        if (subaccount != null) {
            yaml.append("  subaccountId: ").append(subaccount).append('\n');
        }
        return yaml.toString();
    }

    private static void writeMappings(String yaml) throws IOException {
        // Written next to the file and moved over it, so the watcher never reads half a file.
        Path next = mappingsFile.resolveSibling(mappingsFile.getFileName() + ".next");
        Files.writeString(next, yaml);
        Files.move(
                next,
                mappingsFile,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Socket channel(String serviceId) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", ports.get(serviceId)), 10_000);
        socket.setSoTimeout(60_000);
        return socket;
    }

    /** The channel's connection is closed without a byte: the cloud refused it. */
    private static void assertRefused(String serviceId) throws IOException {
        try (Socket socket = channel(serviceId)) {
            assertEquals(-1, socket.getInputStream().read(), serviceId + ": the refused connection is closed");
        }
    }

    /** One round trip through the channel; false when the connection is closed without an answer. */
    private static boolean echoes(String serviceId) {
        try (Socket socket = channel(serviceId)) {
            socket.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            return Arrays.equals(
                    "x".getBytes(StandardCharsets.US_ASCII),
                    socket.getInputStream().readAllBytes());
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] message(int i) {
        byte[] out = new byte[16 * 1024 + i];
        Payload.fill(out, i * 7919L);
        return out;
    }

    private static <T> Future<T> background(java.util.concurrent.Callable<T> task) {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        Future<T> future = executor.submit(task);
        executor.shutdown();
        return future;
    }

    /** The sum of every sample of {@code name}, whatever its labels. */
    static double sum(String metrics, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(metrics);
        double total = 0;
        while (matcher.find()) {
            total += Double.parseDouble(matcher.group(2));
        }
        return total;
    }
}
