package io.connectivityproxy.e2e;

import static io.connectivityproxy.e2e.LocalSystem.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.vertx.core.Vertx;

/**
 * The connector's file applied live, with real processes: it lives in a Kubernetes ConfigMap
 * layout (the file is a symlink through {@code ..data}, swapped atomically) and is also edited the
 * way editors save (written next to it, renamed over it). Mappings added and removed take effect
 * for new streams within seconds while a long download on the same session goes on intact; an
 * invalid file is refused, leaves the previous list in force, and says so in metrics and
 * readiness; settings only a restart applies are reported as such; service channels start and
 * stop listening, and a removed channel's open connection is left to finish.
 */
class ConfigReloadIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The promise: a change is usable within 5 s. */
    private static final Duration LIVE = Duration.ofSeconds(5);

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("config-reload");

    private static Vertx vertx;
    private static LocalSystem system;
    private static LocalSystem.Node tunnel;
    private static LocalSystem.Node proxy;
    private static LocalSystem.Node connector;
    private static TestBackend backendA;
    private static TestBackend backendB;
    private static ClusterService echo;
    private static Path configMap;
    private static Path config;
    private static Path mappingsFile;
    private static int version;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        backendA = new TestBackend(vertx, "a");
        backendB = new TestBackend(vertx, "b");
        echo = new ClusterService(ClusterService.ECHO);
        system = e2e.system();
        mappingsFile = system.dir.resolve("service-mappings.yaml");
        Files.writeString(
                mappingsFile,
                "---\napiVersion: connectivityproxy.sap.com/v1\nkind: ServiceMapping\n"
                        + "metadata:\n  name: echo\nspec:\n  type: TCP\n  serviceId: echo\n  internalAddress: \""
                        + echo.address() + "\"\n");
        var tunnelStart = system.inBackground(() -> system.tunnel(
                "tunnel",
                Map.of(
                        "tunnel.service-channels.mappings-file",
                        mappingsFile.toString(),
                        "tunnel.service-channels.default-subaccount",
                        LocalSystem.SUBACCOUNT)));
        proxy = system.proxy("proxy");
        tunnel = tunnelStart.join();
        // What a ConfigMap volume looks like: connector.yaml -> ..data/connector.yaml, ..data -> ..<version>.
        configMap = system.dir.resolve("configmap");
        Files.createDirectories(configMap);
        config = configMap.resolve("connector.yaml");
        swapConfigMap(yaml(1, mapping("a-host", 8080, backendA.port(), "HTTP")));
        Files.createSymbolicLink(config, Path.of("..data/connector.yaml"));
        connector = system.connectorAt("connector", config, true);
        system.awaitRegistered(proxy, "", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {backendA, backendB, echo}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void mappingsChangeWhileALongDownloadOnTheSameSessionGoesOnIntact() throws Exception {
        String sessionBefore = sessionId();
        long size = 256L * 1024 * 1024;
        Path downloaded = system.dir.resolve("download.bin");
        // About 20 s at 12 MB/s: long enough to span every change below.
        Process download = new ProcessBuilder(
                        "curl",
                        "-sS",
                        "-f",
                        "--limit-rate",
                        "12M",
                        "-o",
                        downloaded.toString(),
                        "-x",
                        "http://127.0.0.1:" + proxy.port(),
                        "http://a-host:8080/bytes/" + size)
                .redirectErrorStream(true)
                .start();
        try {
            connector
                    .process()
                    .await(
                            "the download is under way",
                            WAIT,
                            () -> HttpProxyIT.metricValue(connector.metrics(), "cp_connector_streams_open") == 1);
            assertEquals(403, get("b-host").status(), "b-host is not mapped yet");

            // 1. A mapping added by a ConfigMap update is usable within 5 s.
            swapConfigMap(yaml(
                    1,
                    mapping("a-host", 8080, backendA.port(), "HTTP"),
                    mapping("b-host", 8080, backendB.port(), "HTTP")));
            awaitWithin(LIVE, "the added mapping b-host serves", () -> statusOf("b-host") == 200);
            assertTrue(get("b-host").text().startsWith("backend b GET /"));
            assertTrue(download.isAlive(), "the download went on while the mapping was added");

            // 2. Removed again: refused, with the connector's reason.
            swapConfigMap(yaml(1, mapping("a-host", 8080, backendA.port(), "HTTP")));
            awaitWithin(LIVE, "the removed mapping b-host is refused", () -> statusOf("b-host") == 403);
            assertTrue(get("b-host").text().contains("Access denied to system b-host:8080: no mapping"));
            assertTrue(download.isAlive(), "the download went on while the mapping was removed");

            // 3. An invalid file, saved the way editors do: refused, the list read before stays in force.
            double failuresBefore = metric("cp_connector_config_reload_failures_total");
            editInPlace(yaml(
                    1,
                    mapping("a-host", 8080, backendA.port(), "HTTP"),
                    mapping("b-host", 0, backendB.port(), "HTTP")));
            connector
                    .process()
                    .await(
                            "the invalid file is reported",
                            WAIT,
                            () -> metric("cp_connector_config_file_not_in_force") == 1);
            assertEquals(failuresBefore + 1, metric("cp_connector_config_reload_failures_total"));
            assertTrue(
                    connector
                            .process()
                            .logContains("accessControl[1].virtualPort: must be between 1 and 65535, " + "got 0"),
                    connector.process().tail());
            String readiness = ManagedProcess.get(connector.health());
            assertTrue(
                    readiness.contains("the file on disk is not in force: ")
                            && readiness.contains("accessControl[1].virtualPort"),
                    readiness);
            assertTrue(connector.admin("/admin/config").contains("\"fileInForce\" : false"));
            assertEquals(200, get("a-host").status(), "the configuration in force still serves");
            assertEquals(403, get("b-host").status(), "nothing of the refused file was applied");

            // 4. Fixed, and with a setting only a restart applies: in force again, the restart reported.
            editInPlace(yaml(2, mapping("a-host", 8080, backendA.port(), "HTTP")));
            connector
                    .process()
                    .await(
                            "the fixed file is in force",
                            WAIT,
                            () -> metric("cp_connector_config_file_not_in_force") == 0);
            assertEquals(1, metric("cp_connector_config_restart_required"));
            assertTrue(
                    connector.admin("/admin/config").contains("\"needsRestart\" : [ \"sessions\" ]"),
                    connector.admin("/admin/config"));
            assertTrue(ManagedProcess.get(connector.health()).contains("the file in force changes sessions"));
            assertEquals(failuresBefore + 1, metric("cp_connector_config_reload_failures_total"));

            assertTrue(download.waitFor(120, TimeUnit.SECONDS), "the download did not finish");
            assertEquals(
                    0,
                    download.exitValue(),
                    new String(download.getInputStream().readAllBytes()));
        } finally {
            download.destroyForcibly();
        }
        try (InputStream in = Files.newInputStream(downloaded)) {
            long[] length = new long[1];
            String sha = Payload.sha256(in, length);
            assertEquals(size, length[0]);
            assertEquals(Payload.sha256(size), sha, "the download is intact");
        }
        assertEquals(sessionBefore, sessionId(), "the session was never re-established");
        StreamGauges.awaitNone(proxy, tunnel, connector);
        // Back to the file the connector started with: nothing left that needs a restart.
        editInPlace(yaml(1, mapping("a-host", 8080, backendA.port(), "HTTP")));
        connector
                .process()
                .await("nothing needs a restart", WAIT, () -> metric("cp_connector_config_restart_required") == 0);
    }

    @Test
    void serviceChannelsStartAndStopListeningAndARemovedOneLetsItsConnectionFinish() throws Exception {
        int port = LocalSystem.freePort();
        String channel = "serviceChannels:\n  - serviceId: echo\n    type: TCP\n    localPort: " + port + "\n";
        assertTrue(refused(port), "nothing listens before the channel is configured");
        editInPlace(yaml(1, mapping("a-host", 8080, backendA.port(), "HTTP")) + channel);
        awaitWithin(LIVE, "the added channel echoes", () -> echoes(port, "ping"));
        try (Socket open = new Socket("127.0.0.1", port)) {
            open.setSoTimeout(30_000);
            OutputStream out = open.getOutputStream();
            out.write("before".getBytes(StandardCharsets.US_ASCII));
            assertEquals("before", new String(open.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));

            editInPlace(yaml(1, mapping("a-host", 8080, backendA.port(), "HTTP")));
            connector.process().await("the removed channel refuses new connections", WAIT, () -> !echoes(port, "late"));
            assertTrue(
                    connector.admin("/admin/channels").contains("removed; closing after its open connections"),
                    connector.admin("/admin/channels"));
            // The connection opened before the removal carries on until it ends.
            out.write("after".getBytes(StandardCharsets.US_ASCII));
            open.shutdownOutput();
            assertEquals("after", new String(open.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }
        connector
                .process()
                .await("the removed channel's port is free once its last connection ended", WAIT, () -> refused(port));
        assertTrue(
                !connector.admin("/admin/channels").contains("\"serviceId\" : \"echo\""),
                connector.admin("/admin/channels"));
        connector
                .process()
                .await(
                        "no channel stream is open",
                        WAIT,
                        () -> HttpProxyIT.metricValue(tunnel.metrics(), "cp_tunnel_channel_streams_open") == 0);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static String yaml(int sessions, String... mappings) {
        return system.connectorYaml(tunnel.port(), "", sessions, mappings);
    }

    /** A ConfigMap update: a new versioned directory, and the {@code ..data} symlink swapped to it atomically. */
    private static void swapConfigMap(String yaml) throws IOException {
        version++;
        Path dir = configMap.resolve("..v" + version);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("connector.yaml"), yaml);
        Path link = configMap.resolve("..data_tmp");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(dir.getFileName().toString()));
        Files.move(
                link, configMap.resolve("..data"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** An editor's save: the new content written next to the file, then renamed over it. */
    private static void editInPlace(String yaml) throws IOException {
        Path target = config.toRealPath();
        Path next = target.resolveSibling(".connector.yaml.swp");
        Files.writeString(next, yaml);
        Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitWithin(Duration limit, String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(
                    System.nanoTime() < deadline,
                    "not within " + limit + ": " + what + "\n"
                            + connector.process().tail());
            ManagedProcess.pause();
        }
    }

    private static Curl.Result get(String host) throws IOException, InterruptedException {
        return Curl.run(
                system.dir.resolve("curl"), "-x", "http://127.0.0.1:" + proxy.port(), "http://" + host + ":8080/");
    }

    private static int statusOf(String host) {
        try {
            return get(host).status();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static double metric(String name) {
        return HttpProxyIT.metricValue(connector.metrics(), name);
    }

    private static String sessionId() {
        Matcher matcher = Pattern.compile("\"session\" : \"([^\"]+)\"").matcher(connector.admin("/admin/sessions"));
        assertTrue(matcher.find(), connector.admin("/admin/sessions"));
        return matcher.group(1);
    }

    /** True when a connection to the port gets its bytes echoed through the channel. */
    private static boolean echoes(int port, String text) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            return text.equals(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean refused(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
