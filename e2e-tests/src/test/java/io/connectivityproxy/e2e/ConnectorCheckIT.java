package io.connectivityproxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.connectivityproxy.cluster.CertificateAuthority;
import io.vertx.core.Vertx;

/**
 * {@code connector check}, the connector doctor, as an admin runs it: the connector executable
 * with the argument {@code check} against a real tunnel-service and real backends — one that
 * accepts, one port nobody listens on, an HTTPS backend whose certificate (made here with
 * BouncyCastle, signed by a CA the connector trusts) expired, and one whose certificate is valid.
 * One line per check, and the exit code says whether all passed.
 */
class ConnectorCheckIT {

    @RegisterExtension
    static final SystemExtension e2e = new SystemExtension("connector-check");

    private static Vertx vertx;
    private static LocalSystem system;
    private static LocalSystem.Node tunnel;
    private static TestBackend reachable;
    private static int refusing;
    private static TlsBackend expired;
    private static TlsBackend valid;
    private static Path backendCa;
    private static Instant expiredOn;

    @BeforeAll
    static void start() throws Exception {
        vertx = e2e.vertx();
        reachable = new TestBackend(vertx, "reachable");
        refusing = LocalSystem.freePort();
        system = e2e.system();
        CertificateAuthority ca = CertificateAuthority.create("backend test CA");
        backendCa = system.dir.resolve("backend-ca.pem");
        ca.ca().write(system.dir, "backend-ca");
        KeyPair keys = KeyPairGenerator.getInstance("EC").genKeyPair();
        expiredOn = Instant.now().minus(Duration.ofDays(30)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        X509Certificate old = signed(
                ca.ca().certificate(),
                ca.ca().keyPair().getPrivate(),
                "CN=expired.backend.test",
                keys,
                expiredOn.minus(Duration.ofDays(365)),
                expiredOn,
                true);
        expired = new TlsBackend(old, keys, ca.ca().certificate());
        CertificateAuthority.Issued fresh =
                ca.issueServer("valid.backend.test", List.of("localhost"), List.of("127.0.0.1"));
        valid = new TlsBackend(fresh.certificate(), fresh.keyPair(), ca.ca().certificate());
        tunnel = system.tunnel("tunnel", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {reachable, expired, valid}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void reportsEachBackendAndTheTunnelOnALineAndFailsForTheRefusingAndTheExpiredOne() throws Exception {
        Path config = write(
                "mixed.yaml",
                yaml(
                        entry("reachable", 8080, "127.0.0.1", reachable.port(), "HTTP"),
                        entry("refusing", 9000, "127.0.0.1", refusing, "TCP"),
                        entry("expired", 443, "localhost", expired.port(), "HTTPS"),
                        entry("valid", 443, "localhost", valid.port(), "HTTPS")));
        ManagedProcess check = system.connectorCheck("check-mixed", config);
        assertEquals(1, check.waitForExit(Duration.ofSeconds(120)), check.tail());
        List<String> lines = checkLines(check);
        assertEquals(8, lines.size(), String.join("\n", lines));
        assertLine(lines, "OK   config      " + config + ": 4 access control entries, 0 service channel(s)");
        assertLine(
                lines,
                "OK   certificate " + system.certs.resolve("connector.pem") + ": CN=" + LocalSystem.SUBACCOUNT
                        + ", valid until ");
        assertLine(
                lines,
                "OK   backend     reachable:8080 -> 127.0.0.1:" + reachable.port() + " (HTTP): accepts connections");
        assertLine(lines, "FAIL backend     refusing:9000 -> 127.0.0.1:" + refusing + " (TCP): connection refused");
        assertLine(
                lines,
                "FAIL backend     expired:443 -> localhost:" + expired.port()
                        + " (HTTPS): TLS handshake failed: certificate CN=expired.backend.test expired on "
                        + expiredOn);
        assertLine(
                lines,
                "OK   backend     valid:443 -> localhost:" + valid.port()
                        + " (HTTPS): TLS handshake OK, certificate CN=valid.backend.test, valid until ");
        assertLine(
                lines,
                "OK   tunnel      wss://localhost:" + tunnel.port()
                        + "/tunnel: TLS and WebSocket handshake OK; tunnel-service sees subaccount "
                        + LocalSystem.SUBACCOUNT);
        assertLine(lines, "2 of 7 checks failed");
        // The check dialled the tunnel but registered no session the cloud could route streams to.
        assertFalse(
                tunnel.admin("/admin/sessions").contains("\"state\" : \"ACTIVE\""), tunnel.admin("/admin/sessions"));
    }

    @Test
    void exitsWithZeroWhenEveryCheckPasses() throws Exception {
        Path config = write(
                "good.yaml",
                yaml(
                        entry("reachable", 8080, "127.0.0.1", reachable.port(), "HTTP"),
                        entry("valid", 443, "localhost", valid.port(), "HTTPS")));
        ManagedProcess check = system.connectorCheck("check-good", config);
        assertEquals(0, check.waitForExit(Duration.ofSeconds(120)), check.tail());
        assertLine(checkLines(check), "all 5 checks passed");
    }

    @Test
    void aTunnelCertificateOfAnotherSubaccountIsAFailureLine() throws Exception {
        // Signed by the installation's development connector CA, so tunnel-service accepts it: another subaccount.
        X509Certificate devCa = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(system.certs.resolve("ca.pem")));
        java.security.PrivateKey devCaKey = privateKey(system.certs.resolve("ca-key.pem"));
        KeyPair keys = KeyPairGenerator.getInstance("EC").genKeyPair();
        X509Certificate client = signed(
                devCa,
                devCaKey,
                "CN=other-subaccount",
                keys,
                Instant.now().minusSeconds(3600),
                Instant.now().plus(Duration.ofDays(1)),
                false);
        pem(system.dir.resolve("other-client.pem"), client);
        // PKCS#8, as the connector's tunnel.key must be.
        Files.writeString(
                system.dir.resolve("other-client-key.pem"),
                "-----BEGIN PRIVATE KEY-----\n"
                        + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                                .encodeToString(keys.getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
        Path config = write(
                "other.yaml", yaml(system.dir.resolve("other-client.pem"), system.dir.resolve("other-client-key.pem")));
        ManagedProcess check = system.connectorCheck("check-other", config);
        assertEquals(1, check.waitForExit(Duration.ofSeconds(120)), check.tail());
        assertLine(
                checkLines(check),
                "FAIL tunnel      wss://localhost:" + tunnel.port() + "/tunnel: tunnel-service sees "
                        + "subaccount other-subaccount (from the certificate), but the file says "
                        + LocalSystem.SUBACCOUNT);
    }

    @Test
    void aCertificateOfACaTheConnectorDoesNotTrustIsAFailureLine() throws Exception {
        CertificateAuthority strangers = CertificateAuthority.create("a CA nobody trusts");
        CertificateAuthority.Issued stranger =
                strangers.issueServer("stranger.backend.test", List.of("localhost"), List.of("127.0.0.1"));
        try (TlsBackend untrusted = new TlsBackend(
                stranger.certificate(), stranger.keyPair(), strangers.ca().certificate())) {
            Path config =
                    write("untrusted.yaml", yaml(entry("untrusted", 443, "localhost", untrusted.port(), "HTTPS")));
            ManagedProcess check = system.connectorCheck("check-untrusted", config);
            assertEquals(1, check.waitForExit(Duration.ofSeconds(120)), check.tail());
            assertLine(
                    checkLines(check),
                    "FAIL backend     untrusted:443 -> localhost:" + untrusted.port()
                            + " (HTTPS): TLS handshake failed: the certificate is not trusted (no path to a CA in "
                            + "backendTls.ca or the JVM's trust store), certificate CN=stranger.backend.test (valid until ");
        }
    }

    @Test
    void anInvalidFileGetsALinePerProblemAndExitCodeTwo() throws Exception {
        Path config = write(
                "bad.yaml",
                yaml(
                        entry("one", 0, "127.0.0.1", reachable.port(), "HTTP"),
                        entry("two", 8080, "127.0.0.1", reachable.port(), "GOPHER")));
        ManagedProcess check = system.connectorCheck("check-bad", config);
        assertEquals(2, check.waitForExit(Duration.ofSeconds(120)), check.tail());
        List<String> lines = checkLines(check);
        assertLine(
                lines,
                "FAIL config      " + config + ": accessControl[0].virtualPort: must be between 1 and 65535, got 0");
        assertLine(
                lines,
                "FAIL config      " + config + ": accessControl[1].protocol: 'GOPHER' is not one of HTTP, "
                        + "HTTPS, TCP, RFC, LDAP");
        assertLine(lines, "2 of 2 checks failed");
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static java.security.PrivateKey privateKey(Path pem) throws Exception {
        try (org.bouncycastle.openssl.PEMParser parser =
                new org.bouncycastle.openssl.PEMParser(Files.newBufferedReader(pem))) {
            Object object = parser.readObject();
            org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter converter =
                    new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter();
            if (object instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            return converter
                    .getKeyPair((org.bouncycastle.openssl.PEMKeyPair) object)
                    .getPrivate();
        }
    }

    private static void pem(Path file, Object object) throws IOException {
        try (org.bouncycastle.openssl.jcajce.JcaPEMWriter writer =
                new org.bouncycastle.openssl.jcajce.JcaPEMWriter(Files.newBufferedWriter(file))) {
            writer.writeObject(object);
        }
    }

    private static String yaml(String... entries) {
        return system.connectorYaml(tunnel.port(), "", 1) + String.join("", entries) + "backendTls:\n  ca: " + backendCa
                + "\n";
    }

    private static String yaml(Path certificate, Path key) {
        return system.connectorYaml(
                tunnel.port(),
                "",
                1,
                certificate,
                key,
                entry("reachable", 8080, "127.0.0.1", reachable.port(), "HTTP"));
    }

    private static String entry(
            String virtualHost, int virtualPort, String internalHost, int internalPort, String protocol) {
        return "  - virtualHost: " + virtualHost + "\n    virtualPort: " + virtualPort + "\n    internalHost: "
                + internalHost + "\n    internalPort: " + internalPort + "\n    protocol: " + protocol + "\n";
    }

    private static Path write(String name, String yaml) throws IOException {
        Path file = system.dir.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    /** The check's standard output: its lines only (the executable logs nothing below WARN in this mode). */
    private static List<String> checkLines(ManagedProcess check) {
        return check.logText()
                .lines()
                .filter(line -> line.startsWith("OK ")
                        || line.startsWith("FAIL ")
                        || line.endsWith("checks passed")
                        || line.endsWith("checks failed"))
                .toList();
    }

    private static void assertLine(List<String> lines, String start) {
        assertTrue(
                lines.stream().anyMatch(line -> line.startsWith(start)),
                "no line starting with\n" + start + "\nin\n" + String.join("\n", lines));
    }

    /** A certificate for {@code keys} signed by {@code issuer}, valid from {@code notBefore} to {@code notAfter}. */
    private static X509Certificate signed(
            X509Certificate issuer,
            java.security.PrivateKey issuerKey,
            String subject,
            KeyPair keys,
            Instant notBefore,
            Instant notAfter,
            boolean server)
            throws Exception {
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(System.nanoTime()),
                Date.from(notBefore),
                Date.from(notAfter),
                new X500Name(subject),
                keys.getPublic());
        if (server) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
        }
        String algorithm = issuerKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
    }

    /** An HTTPS-speaking backend on 127.0.0.1 with a given certificate: it completes handshakes and closes. */
    private static final class TlsBackend implements AutoCloseable {
        private final SSLServerSocket server;
        private final Thread thread;

        TlsBackend(X509Certificate certificate, KeyPair keys, X509Certificate ca) throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(
                    "backend", keys.getPrivate(), new char[0], new java.security.cert.Certificate[] {certificate, ca});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(store, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            server = (SSLServerSocket)
                    context.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            thread = new Thread(
                    () -> {
                        while (!server.isClosed()) {
                            try (Socket socket = server.accept()) {
                                socket.setSoTimeout(10_000);
                                ((javax.net.ssl.SSLSocket) socket).startHandshake();
                            } catch (IOException e) {
                                // A client that refuses the certificate ends the handshake; the next one is served.
                            }
                        }
                    },
                    "tls-backend");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
