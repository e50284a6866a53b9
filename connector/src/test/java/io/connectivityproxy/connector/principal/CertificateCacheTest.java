package io.connectivityproxy.connector.principal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.security.auth.x500.X500Principal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate cache with an injected clock, and the CA behind it. */
class CertificateCacheTest {

    private static final X500Principal ALICE = new X500Principal("CN=alice");
    private static final X500Principal BOB = new X500Principal("CN=bob");
    private static final Duration VALIDITY = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    private UserCertificateAuthority ca() {
        return UserCertificateAuthority.open(
                dir.resolve("ca.pem"),
                dir.resolve("ca-key.pem"),
                true,
                "test CA",
                UserCertificateAuthority.KeyAlgorithm.EC);
    }

    @Test
    void onePerPrincipalWhileValidThenANewOne() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
        UserCertificateAuthority ca = ca();
        CertificateCache cache = new CertificateCache(ca, VALIDITY, clock);
        assertEquals(Duration.ofMinutes(1), cache.renewBefore());

        UserCredential first = cache.credentialFor(UserType.BUSINESS, ALICE);
        assertSame(first, cache.credentialFor(UserType.BUSINESS, ALICE));
        UserCredential bob = cache.credentialFor(UserType.BUSINESS, BOB);
        assertNotEquals(first.id(), bob.id());
        // The same subject as a technical user is another principal.
        assertNotEquals(
                first.id(), cache.credentialFor(UserType.TECHNICAL, ALICE).id());
        assertEquals(3, cache.issued());

        clock.advance(VALIDITY.minus(cache.renewBefore()).minusSeconds(1));
        assertSame(first, cache.credentialFor(UserType.BUSINESS, ALICE), "still good a second before renewal");
        clock.advance(Duration.ofSeconds(1));
        UserCredential second = cache.credentialFor(UserType.BUSINESS, ALICE);
        assertNotEquals(first.id(), second.id(), "renewed shortly before expiry");
        assertSame(second, cache.credentialFor(UserType.BUSINESS, ALICE));
        assertEquals(4, cache.issued());
        assertEquals(clock.instant().plus(VALIDITY).truncatedTo(ChronoUnit.SECONDS), second.notAfter());

        clock.advance(Duration.ofHours(2));
        assertNotEquals(
                second.id(), cache.credentialFor(UserType.BUSINESS, ALICE).id(), "a new one after expiry");
        assertEquals(3, cache.size());
    }

    @Test
    void shortValiditiesRenewAtAQuarter() {
        CertificateCache cache = new CertificateCache(
                ca(), Duration.ofMinutes(1), new MutableClock(Instant.parse("2026-01-01T10:00:00Z")));
        assertEquals(Duration.ofSeconds(15), cache.renewBefore());
    }

    @Test
    void certificatesAreForTheUserAndVerifyAgainstTheCa() throws Exception {
        Instant now = Instant.parse("2026-01-01T10:00:00Z");
        UserCertificateAuthority ca = ca();
        UserCredential credential = new CertificateCache(ca, VALIDITY, new MutableClock(now))
                .credentialFor(UserType.BUSINESS, new X500Principal("CN=alice, OU=people"));
        X509Certificate certificate = credential.certificate();
        assertEquals("CN=alice,OU=people", certificate.getSubjectX500Principal().getName(X500Principal.RFC2253));
        assertEquals(ca.certificate().getSubjectX500Principal(), certificate.getIssuerX500Principal());
        certificate.verify(ca.certificate().getPublicKey());
        certificate.checkValidity(java.util.Date.from(now));
        assertEquals(
                now.minus(UserCertificateAuthority.BACKDATE),
                certificate.getNotBefore().toInstant());
        assertTrue(certificate.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.2"), "clientAuth");
        assertEquals(-1, certificate.getBasicConstraints());
        // SSL_CLIENT_CERT: the PEM body on one line.
        String header = credential.sslClientCertHeader();
        assertTrue(header.matches("[A-Za-z0-9+/=]+"), header);
        assertEquals(
                certificate,
                java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(new java.io.ByteArrayInputStream(
                                java.util.Base64.getDecoder().decode(header))));
        assertTrue(credential.certificatePem().startsWith("-----BEGIN CERTIFICATE-----\n"));
        assertTrue(credential.keyPem().startsWith("-----BEGIN PRIVATE KEY-----\n"));
    }

    @Test
    void rsaUserKeysOnRequest() {
        UserCertificateAuthority ca = UserCertificateAuthority.open(
                dir.resolve("ca.pem"),
                dir.resolve("ca-key.pem"),
                true,
                "test CA",
                UserCertificateAuthority.KeyAlgorithm.RSA);
        UserCredential credential = ca.issue(ALICE, Instant.now(), VALIDITY);
        assertEquals("RSA", credential.certificate().getPublicKey().getAlgorithm());
    }

    @Test
    void theCaIsGeneratedOnceThenReused() throws Exception {
        UserCertificateAuthority first = ca();
        String pem = Files.readString(dir.resolve("ca.pem"));
        assertTrue(Files.exists(dir.resolve("ca-key.pem")));
        assertEquals(
                "rw-------",
                java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dir.resolve("ca-key.pem"))));
        UserCertificateAuthority second = ca();
        assertEquals(first.certificate(), second.certificate());
        assertEquals(pem, Files.readString(dir.resolve("ca.pem")));
    }

    @Test
    void missingOrMismatchedCaFilesAreRefusedNamingTheFile() throws Exception {
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> UserCertificateAuthority.open(
                        dir.resolve("none.pem"),
                        dir.resolve("none-key.pem"),
                        false,
                        "x",
                        UserCertificateAuthority.KeyAlgorithm.EC));
        assertTrue(
                missing.getMessage().startsWith("certificate: " + dir.resolve("none.pem") + " does not exist"),
                missing.getMessage());
        ca();
        UserCertificateAuthority.open(
                dir.resolve("other.pem"),
                dir.resolve("other-key.pem"),
                true,
                "other",
                UserCertificateAuthority.KeyAlgorithm.EC);
        IllegalArgumentException mismatch = assertThrows(
                IllegalArgumentException.class,
                () -> UserCertificateAuthority.open(
                        dir.resolve("ca.pem"),
                        dir.resolve("other-key.pem"),
                        false,
                        "x",
                        UserCertificateAuthority.KeyAlgorithm.EC));
        assertTrue(mismatch.getMessage().contains("is not the private key of"), mismatch.getMessage());
        Files.delete(dir.resolve("other.pem"));
        IllegalArgumentException half = assertThrows(
                IllegalArgumentException.class,
                () -> UserCertificateAuthority.open(
                        dir.resolve("other.pem"),
                        dir.resolve("other-key.pem"),
                        true,
                        "x",
                        UserCertificateAuthority.KeyAlgorithm.EC));
        assertTrue(half.getMessage().contains("a CA is generated only when neither file exists"), half.getMessage());
    }
}
