package io.connectivityproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.connectivityproxy.cluster.TestSettings.TestTls;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/** Which certificates the event bus gets from cluster.tls.*, and that it refuses to run unprotected by mistake. */
class EventBusTlsTest {

    @TempDir
    Path dir;

    @Test
    void configuredFilesGiveMutualTlsTrustingOnlyTheClusterCa() {
        List<Path> dev = DevClusterCertificates.ensure(dir);
        EventBusTls tls = EventBusTls.resolve(TestTls.files(dev.get(0), dev.get(1), dev.get(2)));
        EventBusOptions options = new EventBusOptions();
        tls.apply(options);

        assertTrue(options.isSsl());
        assertEquals(ClientAuth.REQUIRED, options.getClientAuth());
        assertFalse(options.isTrustAll());
        PemKeyCertOptions key = assertInstanceOf(PemKeyCertOptions.class, options.getKeyCertOptions());
        assertEquals(List.of(dev.get(0).toString()), key.getCertPaths());
        PemTrustOptions trust = assertInstanceOf(PemTrustOptions.class, options.getTrustOptions());
        assertEquals(List.of(dev.get(2).toString()), trust.getCertPaths());
        // Vert.x builds its cluster client from the options' JSON: the certificates must survive it.
        EventBusOptions copy = new EventBusOptions(options.toJson());
        assertEquals(List.of(dev.get(2).toString()), copy.getPemTrustOptions().getCertPaths());
        assertEquals(List.of(dev.get(1).toString()), copy.getPemKeyCertOptions().getKeyPaths());
        assertFalse(tls.development());
    }

    @Test
    void withoutAnyCertificateTheNodeRefusesToStart() {
        IllegalStateException refused =
                assertThrows(IllegalStateException.class, () -> EventBusTls.resolve(TestTls.none()));
        assertTrue(
                refused.getMessage().contains("set cluster.tls.certificate, cluster.tls.key and cluster.tls.ca"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("cluster.tls.enabled=false"), refused.getMessage());
    }

    @Test
    void onlyAnExplicitSwitchTurnsTlsOff() {
        EventBusTls tls = EventBusTls.resolve(
                new TestTls(false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), false));
        EventBusOptions options = new EventBusOptions();
        tls.apply(options);
        assertFalse(tls.enabled());
        assertFalse(options.isSsl());
        assertTrue(tls.describe().contains("plain TCP"), tls.describe());
    }

    @Test
    void theThreeFilesGoTogether() {
        Path certificate = dir.resolve("member.pem");
        IllegalStateException refused = assertThrows(
                IllegalStateException.class,
                () -> EventBusTls.resolve(new TestTls(
                        true, Optional.of(certificate), Optional.empty(), Optional.empty(), Optional.of(dir), false)));
        assertEquals(
                "cluster.tls.certificate, cluster.tls.key and cluster.tls.ca go together: cluster.tls.key and "
                        + "cluster.tls.ca are not set",
                refused.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nowhere.pem");
        IllegalStateException refused = assertThrows(
                IllegalStateException.class, () -> EventBusTls.resolve(TestTls.files(missing, missing, missing)));
        assertEquals("cluster TLS file " + missing + " does not exist or is not readable", refused.getMessage());
    }

    @Test
    void developmentDirectoryIsCreatedOnceAndReused() throws Exception {
        EventBusTls first = EventBusTls.resolve(TestTls.devDir(dir.resolve("certs")));
        String ca = Files.readString(dir.resolve("certs/cluster-ca.pem"));
        EventBusTls second = EventBusTls.resolve(TestTls.devDir(dir.resolve("certs")));
        assertTrue(first.development() && second.development());
        assertEquals(ca, Files.readString(dir.resolve("certs/cluster-ca.pem")));
        assertTrue(first.describe().contains("development certificates"), first.describe());
        assertEquals(
                Set.of(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(dir.resolve("certs/cluster-member-key.pem")));
    }

    /** run-local.sh starts two services on one directory at the same moment: they must end with one CA. */
    @Test
    void processesStartedTogetherShareOneDevelopmentCa() throws Exception {
        Path shared = dir.resolve("shared");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            processes.add(new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            DevCertificatesMain.class.getName(),
                            shared.toString())
                    .redirectErrorStream(true)
                    .start());
        }
        Set<String> printed = new HashSet<>();
        for (Process process : processes) {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "a certificate process hung");
            String out = new String(process.getInputStream().readAllBytes()).trim();
            assertEquals(0, process.exitValue(), out);
            printed.add(out.lines().reduce((a, b) -> b).orElse(""));
        }
        assertEquals(Set.of(Files.readString(shared.resolve("cluster-ca.pem")).replaceAll("\\s", "")), printed);
        assertNotEquals(Set.of(""), printed);
    }

    @Test
    void aTakenEventBusPortIsNamed() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            IllegalStateException refused = assertThrows(
                    IllegalStateException.class,
                    () -> HazelcastClusterCustomizer.checkPortFree("127.0.0.1", taken.getLocalPort()));
            assertTrue(
                    refused.getMessage()
                            .startsWith("cluster.event-bus-port " + taken.getLocalPort() + " on 127.0.0.1 is not free"),
                    refused.getMessage());
        }
        HazelcastClusterCustomizer.checkPortFree("127.0.0.1", 0);
    }

    /** One process of {@link #processesStartedTogetherShareOneDevelopmentCa}: prints the CA it ends with. */
    static final class DevCertificatesMain {
        public static void main(String[] args) throws IOException {
            List<Path> files = DevClusterCertificates.ensure(Path.of(args[0]));
            System.out.println(Files.readString(files.get(2)).replaceAll("\\s", ""));
        }
    }
}
