package io.connectivityproxy.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The watcher's look at the file, one {@link ConfigWatcher#check()} at a time (no timer): what
 * it hands on, what it refuses, and what metrics say about it.
 */
class ConfigWatcherTest {

    private static final String FILE = """
            tunnel:
              url: wss://cp.example.com/tunnel
              certificate: connector.pem
              key: connector-key.pem
              ca: ca.pem
            subaccount: sub-1
            accessControl:
              - virtualHost: erp
                virtualPort: 80
                internalHost: 10.0.0.5
                internalPort: 8080
                protocol: HTTP
            """;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<ConnectorSettings> applied = new ArrayList<>();
    private Path config;
    private ConfigWatcher watcher;

    @BeforeEach
    void files() throws IOException {
        for (String name : List.of("connector.pem", "connector-key.pem", "ca.pem")) {
            Files.writeString(dir.resolve(name), "x");
        }
        config = dir.resolve("connector.yaml");
        Files.writeString(config, FILE);
        watcher = new ConfigWatcher(
                null,
                config,
                java.time.Duration.ofSeconds(1),
                Files.readAllBytes(config),
                applied::add,
                new ConnectorMetrics(registry));
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private double counter(String name) {
        return registry.get(name).counter().count();
    }

    @Test
    void theFileItStartedWithIsNotAppliedAgain() {
        watcher.check();
        assertEquals(List.of(), applied);
        assertEquals(ConfigWatcher.State.IN_FORCE, watcher.status().state());
    }

    @Test
    void aFileReplacedByRenameIsApplied() throws IOException {
        Path next = dir.resolve(".connector.yaml.tmp");
        Files.writeString(next, FILE.replace("8080", "8081"));
        Files.move(next, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        watcher.check();
        assertEquals(1, applied.size());
        assertEquals(8081, applied.get(0).accessControl().mappings().get(0).internalPort());
        assertEquals(1, counter("cp_connector_config_reloads"));
        watcher.check();
        assertEquals(1, applied.size(), "the same content is applied once");
    }

    @Test
    void aSwappedSymlinkIsSeenThoughTheLinkItselfStaysTheSame() throws IOException {
        Path v1 = Files.createDirectories(dir.resolve("..v1"));
        Path v2 = Files.createDirectories(dir.resolve("..v2"));
        Files.writeString(v1.resolve("connector.yaml"), FILE);
        Files.writeString(v2.resolve("connector.yaml"), FILE.replace("erp", "erp2"));
        Path data = dir.resolve("..data");
        Files.createSymbolicLink(data, Path.of("..v1"));
        Path link = dir.resolve("linked.yaml");
        Files.createSymbolicLink(link, Path.of("..data/connector.yaml"));
        ConfigWatcher linked = new ConfigWatcher(
                null,
                link,
                java.time.Duration.ofSeconds(1),
                Files.readAllBytes(link),
                applied::add,
                new ConnectorMetrics(new SimpleMeterRegistry()));
        Path tmp = dir.resolve("..data_tmp");
        Files.createSymbolicLink(tmp, Path.of("..v2"));
        Files.move(tmp, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        linked.check();
        assertEquals(1, applied.size());
        assertEquals("erp2", applied.get(0).accessControl().mappings().get(0).virtualHost());
    }

    @Test
    void anInvalidFileIsRefusedOnceAndCountedUntilFixed() throws IOException {
        Files.writeString(config, FILE.replace("virtualPort: 80", "virtualPort: 0"));
        watcher.check();
        watcher.check();
        assertEquals(List.of(), applied);
        ConfigWatcher.Status status = watcher.status();
        assertEquals(ConfigWatcher.State.REFUSED, status.state());
        assertTrue(
                status.problem().endsWith("accessControl[0].virtualPort: must be between 1 and 65535, got 0"),
                status.problem());
        assertEquals(1, gauge("cp_connector_config_file_not_in_force"));
        assertEquals(1, counter("cp_connector_config_reload_failures"), "refused once, not on every look");
        Files.writeString(config, FILE);
        watcher.check();
        assertEquals(ConfigWatcher.State.IN_FORCE, watcher.status().state());
        assertEquals(0, gauge("cp_connector_config_file_not_in_force"));
        assertEquals(1, applied.size(), "the fixed file is handed on (it may differ from the one in force)");
    }

    @Test
    void aDeletedFileLeavesTheConfigurationInForce() throws IOException {
        Files.delete(config);
        watcher.check();
        assertEquals(ConfigWatcher.State.REFUSED, watcher.status().state());
        assertTrue(watcher.status().problem().endsWith("file not found"));
        assertEquals(List.of(), applied);
    }
}
