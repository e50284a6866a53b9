package io.connectivityproxy.tunnel.channel;

import static io.connectivityproxy.tunnel.channel.ServiceMappingReaderTest.mapping;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

/** The ServiceChannels bean with the settings the service would get and a real mappings file. */
class ServiceChannelsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Path file;
    private Vertx vertx;
    private SimpleMeterRegistry registry;
    private ServiceChannels channels;
    private final AtomicInteger clientsCreated = new AtomicInteger();

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        registry = new SimpleMeterRegistry();
        file = dir.resolve("mappings.yaml");
    }

    @AfterEach
    void tearDown() {
        if (channels != null) {
            channels.stop();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private ServiceChannels start(Map<String, String> more) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "tunnel.service-channels.mappings-file", file.toString(),
                "tunnel.service-channels.poll-interval", "50ms",
                "tunnel.service-channels.tenant-mode", "shared"));
        properties.putAll(more);
        properties.values().removeIf(String::isEmpty);
        channels = new ServiceChannels(vertx, Settings.channels(properties), this::noClient, registry);
        channels.start();
        return channels;
    }

    private KubernetesClient noClient() {
        clientsCreated.incrementAndGet();
        throw new AssertionError("no Kubernetes client unless tunnel.service-channels.kubernetes=true");
    }

    private void write(String content) throws IOException {
        Path next = dir.resolve("next.tmp");
        Files.writeString(next, content);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String ssh(String host, String subaccount) {
        return mapping(
                "erp-ssh",
                "type: TCP",
                "serviceId: erp-ssh",
                "internalAddress: " + host + ":22",
                "subaccountId: " + subaccount);
    }

    private Resolution resolveSsh() {
        return channels.resolve("sub-a", "", TargetProtocol.TCP, "erp-ssh");
    }

    private String foundHost() {
        return resolveSsh() instanceof Resolution.Found found ? found.mapping().internalHost() : null;
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Test
    void theFileIsInForceWhenStartReturns() throws IOException {
        write(ssh("h1", "sub-a"));
        start(Map.of());
        assertTrue(channels.enabled());
        assertEquals("h1", foundHost());
        assertEquals(
                List.of("erp-ssh"),
                channels.mappings().stream().map(ServiceMappingEntry::name).toList());
        assertEquals(List.of(), channels.problems());
        assertEquals(1.0, gauge("cp_service_channel_mappings"));
        assertEquals(0.0, gauge("cp_service_channel_problems"));
        assertEquals(0, clientsCreated.get());
    }

    @Test
    void resolveFollowsTheFile() throws IOException {
        start(Map.of());
        assertEquals(
                Reason.UNKNOWN_SERVICE,
                assertInstanceOf(Resolution.Refused.class, resolveSsh()).reason());
        assertTrue(
                channels.problems().get(0).contains("does not exist"),
                channels.problems().toString());

        write(ssh("h1", "sub-a"));
        await().atMost(PATIENCE).until(() -> "h1".equals(foundHost()));
        assertEquals(List.of(), channels.problems());

        write(ssh("h2", "sub-a"));
        await().atMost(PATIENCE).until(() -> "h2".equals(foundHost()));

        write("spec: [broken");
        await().atMost(PATIENCE).until(() -> !channels.problems().isEmpty());
        assertTrue(
                channels.problems().get(0).contains("on disk is not in force"),
                channels.problems().toString());
        assertEquals("h2", foundHost(), "the previous file stays in force");

        // Moved to another subaccount: sub-a now sees it exactly as an unknown service.
        write(ssh("h2", "sub-b"));
        await().atMost(PATIENCE).until(() -> foundHost() == null);
        assertEquals(
                new Resolution.Refused(
                        Reason.UNKNOWN_SERVICE, "no service mapping for TCP service 'erp-ssh' in subaccount sub-a"),
                resolveSsh());

        Files.delete(file);
        await().atMost(PATIENCE).until(() -> channels.mappings().isEmpty());
        assertEquals(1.0, gauge("cp_service_channel_problems"));
    }

    @Test
    void skippedResourcesAreListedAndWarnedOncePerDistinctSet() throws IOException {
        String bad = mapping("bad", "type: TCP", "serviceId: bad", "internalAddress: foo", "subaccountId: sub-a");
        try (LogCapture log = LogCapture.of(ServiceChannels.class)) {
            write(ssh("h1", "sub-a") + "---\n" + bad);
            start(Map.of());
            assertEquals(
                    List.of("ServiceMapping bad: spec.internalAddress: must be host:port; the port is missing, "
                            + "was 'foo'"),
                    channels.problems());
            assertEquals(1, log.count(Level.WARNING, "ServiceMapping bad: spec.internalAddress"));

            // Another change, same problems: no new warning.
            write(ssh("h2", "sub-a") + "---\n" + bad);
            await().atMost(PATIENCE).until(() -> "h2".equals(foundHost()));
            assertEquals(1, log.count(Level.WARNING, "ServiceMapping bad"));

            // A different problem set is warned about.
            write(ssh("h2", "sub-a") + "---\n" + bad.replace("foo", "foo:0"));
            await().atMost(PATIENCE).until(() -> log.count(Level.WARNING, "port between 1 and 65535") == 1);
            assertEquals(
                    2,
                    log.count(Level.WARNING, "ServiceMapping bad"),
                    log.lines().toString());
        }
    }

    @Test
    void disabledRefusesEverythingAndReadsNothing() throws IOException {
        write(ssh("h1", "sub-a"));
        start(Map.of("tunnel.service-channels.enabled", "false"));
        assertEquals(false, channels.enabled());
        assertEquals(
                new Resolution.Refused(
                        Reason.SERVICE_CHANNELS_DISABLED, "service channels are disabled on this installation"),
                resolveSsh());
        assertEquals(List.of(), channels.mappings());
    }

    @Test
    void noSourceMeansNoMappings() {
        start(Map.of("tunnel.service-channels.mappings-file", ""));
        assertTrue(channels.enabled());
        assertEquals(
                Reason.UNKNOWN_SERVICE,
                assertInstanceOf(Resolution.Refused.class, resolveSsh()).reason());
        assertEquals(List.of(), channels.mappings());
        assertEquals(0, clientsCreated.get());
    }

    @Test
    void aFileAndKubernetesTogetherRefuseToStart() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> start(Map.of("tunnel.service-channels.kubernetes", "true")));
        assertEquals(
                "tunnel.service-channels.mappings-file and tunnel.service-channels.kubernetes=true are both "
                        + "set: ServiceMappings come from one source, unset one of them",
                e.getMessage());
        assertEquals(0, clientsCreated.get());
    }

    @Test
    void anInvalidDefaultSubaccountRefusesToStart() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> start(Map.of("tunnel.service-channels.default-subaccount", "a|b")));
        assertTrue(
                e.getMessage().startsWith("tunnel.service-channels.default-subaccount must be a subaccount id"),
                e.getMessage());
    }

    @Test
    void dedicatedModeUsesTheDefaultSubaccount() throws IOException {
        write(mapping("erp-ssh", "type: TCP", "serviceId: erp-ssh", "internalAddress: h1:22"));
        start(Map.of(
                "tunnel.service-channels.tenant-mode",
                "dedicated",
                "tunnel.service-channels.default-subaccount",
                "sub-a"));
        assertEquals("h1", foundHost());
        assertEquals("sub-a", channels.mappings().get(0).subaccountId());
    }
}
