package io.connectivityproxy.tunnel.channel;

import static io.connectivityproxy.tunnel.channel.ServiceMappingReaderTest.mapping;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.connectivityproxy.tunnel.channel.ServiceMappingReader.MappingSet;
import io.vertx.core.Vertx;

/**
 * The file source on a real file and real Vert.x timers: created, changed, broken, deleted.
 * What it publishes is recorded; waits are for a condition, or for polls to have happened.
 */
class FileSourceTest {

    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    record Published(MappingSet set, List<String> sourceProblems) {
        List<String> names() {
            return set.entries().stream().map(ServiceMappingEntry::name).toList();
        }
    }

    @TempDir
    Path dir;

    private Path file;
    private Vertx vertx;
    private FileSource source;
    private final List<Published> published = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
        file = dir.resolve("service-mappings.yaml");
        source = new FileSource(
                vertx,
                file,
                POLL,
                new ServiceMappingReader(TenantMode.DEDICATED, Optional.of("sub-a")),
                (set, problems) -> published.add(new Published(set, problems)));
    }

    @AfterEach
    void tearDown() {
        source.stop();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** Replaces the file in one step, as a ConfigMap update does. */
    private void write(String content) throws IOException {
        Path next = dir.resolve("next.tmp");
        Files.writeString(next, content);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Published last() {
        return published.get(published.size() - 1);
    }

    /** Waits until the source has looked at the file {@code n} more times. */
    private void awaitChecks(int n) {
        long target = source.checks() + n;
        await().atMost(PATIENCE).until(() -> source.checks() >= target);
    }

    private static String one(String name, String host) {
        return mapping(name, "type: TCP", "serviceId: " + name, "internalAddress: " + host + ":22");
    }

    @Test
    void theFirstReadHappensInStart() throws IOException {
        write(one("a", "h1"));
        source.start();
        assertEquals(1, published.size());
        assertEquals(List.of("a"), last().names());
        assertEquals(List.of(), last().sourceProblems());
        assertEquals(FileSource.State.IN_FORCE, source.state());
    }

    @Test
    void createdLater() throws IOException {
        try (LogCapture log = LogCapture.of(FileSource.class)) {
            source.start();
            assertEquals(FileSource.State.MISSING, source.state());
            assertEquals(List.of(), last().names());
            assertEquals(
                    List.of("mappings file " + file + " does not exist: no service mappings"), last().sourceProblems());
            awaitChecks(3);
            assertEquals(1, published.size(), "a file that stays missing is published once");
            assertEquals(
                    1, log.count(Level.WARNING, "does not exist"), log.lines().toString());

            write(one("a", "h1"));
            await().atMost(PATIENCE).until(() -> last().names().equals(List.of("a")));
            assertEquals(List.of(), last().sourceProblems());
        }
    }

    @Test
    void aChangeApplies() throws IOException {
        write(one("a", "h1"));
        source.start();
        write(one("a", "h2") + "---\n" + one("b", "h3"));
        await().atMost(PATIENCE).until(() -> last().names().equals(List.of("a", "b")));
        assertEquals("h2", last().set().entries().get(0).internalHost());

        write(one("b", "h3"));
        await().atMost(PATIENCE).until(() -> last().names().equals(List.of("b")));
    }

    @Test
    void anUnchangedFileIsNotPublishedAgain() throws IOException {
        write(one("a", "h1"));
        source.start();
        awaitChecks(5);
        assertEquals(1, published.size());
        // Rewritten with the same bytes (a new inode and mtime): still nothing new.
        write(one("a", "h1"));
        awaitChecks(3);
        assertEquals(1, published.size());
    }

    @Test
    void aBrokenFileLeavesThePreviousMappingsInForceAndIsReportedOnce() throws IOException {
        write(one("a", "h1"));
        source.start();
        try (LogCapture log = LogCapture.of(FileSource.class)) {
            write("apiVersion: connectivityproxy.sap.com/v1\nkind: ServiceMapping\nspec: [unclosed\n");
            await().atMost(PATIENCE).until(() -> !last().sourceProblems().isEmpty());
            assertEquals(List.of("a"), last().names(), "the previous mappings stay in force");
            String problem = last().sourceProblems().get(0);
            assertTrue(
                    problem.startsWith("mappings file " + file + " on disk is not in force: not valid YAML: "),
                    problem);
            assertTrue(problem.endsWith("; the 1 service mappings read before stay in force"), problem);
            assertEquals(FileSource.State.REFUSED, source.state());

            int count = published.size();
            awaitChecks(5);
            assertEquals(count, published.size(), "reported once, not on every poll");
            assertEquals(1, log.count(Level.SEVERE, "not in force"), log.lines().toString());

            write(one("a", "h1") + "---\n" + one("b", "h2"));
            await().atMost(PATIENCE).until(() -> last().names().equals(List.of("a", "b")));
            assertEquals(List.of(), last().sourceProblems());
        }
    }

    @Test
    void aBrokenFileAtStartMeansNoMappings() throws IOException {
        write("{ not: yaml: at all");
        source.start();
        assertEquals(List.of(), last().names());
        assertTrue(
                last().sourceProblems().get(0).endsWith("; no service mappings are in force"),
                last().sourceProblems().toString());
    }

    @Test
    void deleted() throws IOException {
        write(one("a", "h1"));
        source.start();
        try (LogCapture log = LogCapture.of(FileSource.class)) {
            Files.delete(file);
            await().atMost(PATIENCE).until(() -> last().names().isEmpty());
            assertEquals(
                    List.of("mappings file " + file + " does not exist: no service mappings"), last().sourceProblems());
            awaitChecks(3);
            assertEquals(
                    1, log.count(Level.WARNING, "does not exist"), log.lines().toString());
        }
        // Back with the same content as before the deletion: in force again.
        write(one("a", "h1"));
        await().atMost(PATIENCE).until(() -> last().names().equals(List.of("a")));
    }

    @Test
    void aFileWrittenInPlaceIsPickedUpOnceComplete() throws IOException {
        write(one("a", "h1"));
        source.start();
        // Not atomic: a poll may see a half-written file; the complete one must win in the end.
        Files.writeString(file, one("a", "h1") + "---\n" + one("b", "h2"));
        await().atMost(PATIENCE).until(() -> last().names().equals(List.of("a", "b")));
    }

    @Test
    void noPollsAfterStop() throws IOException {
        write(one("a", "h1"));
        source.start();
        awaitChecks(2);
        source.stop();
        long checks = source.checks();
        write(one("b", "h1"));
        // Give a running check time to finish, measured in timer periods of a second source.
        FileSource witness = new FileSource(
                vertx,
                dir.resolve("other.yaml"),
                POLL,
                new ServiceMappingReader(TenantMode.DEDICATED, Optional.of("s")),
                (set, problems) -> {});
        witness.start();
        await().atMost(PATIENCE).until(() -> witness.checks() >= 5);
        witness.stop();
        assertTrue(source.checks() <= checks + 1, "at most the check under way finished");
        assertEquals(List.of("a"), last().names());
    }
}
