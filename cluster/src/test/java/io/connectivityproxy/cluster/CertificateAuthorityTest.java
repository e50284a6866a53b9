package io.connectivityproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The development CA: what it issues is what mutual TLS between connector and tunnel-service needs. */
class CertificateAuthorityTest {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    private final CertificateAuthority ca = CertificateAuthority.create("dev connectors CA");

    @Test
    void caIsSelfSignedAndMayIssue() throws Exception {
        X509Certificate cert = ca.ca().certificate();
        assertEquals("CN=dev connectors CA", cert.getSubjectX500Principal().getName());
        assertEquals(cert.getSubjectX500Principal(), cert.getIssuerX500Principal());
        assertEquals(0, cert.getBasicConstraints());
        cert.verify(cert.getPublicKey());
        cert.checkValidity();
    }

    @Test
    void serverCertificateNamesLocalhostAndLoopback() throws Exception {
        X509Certificate server = ca.issueServer("tunnel-service", List.of("localhost"), List.of("127.0.0.1"))
                .certificate();

        Collection<List<?>> names = server.getSubjectAlternativeNames();
        assertTrue(names.contains(List.of(DNS_NAME, "localhost")), String.valueOf(names));
        assertTrue(names.contains(List.of(IP_ADDRESS, "127.0.0.1")), String.valueOf(names));
        assertEquals(2, names.size());
        assertEquals(List.of(SERVER_AUTH), server.getExtendedKeyUsage());
        assertEquals(-1, server.getBasicConstraints());
        assertEquals(ca.ca().certificate().getSubjectX500Principal(), server.getIssuerX500Principal());
        server.verify(ca.ca().certificate().getPublicKey());
        server.checkValidity();
    }

    @Test
    void clientCertificateCarriesTheSubaccount() throws Exception {
        X509Certificate client = ca.issueClient("sub-1").certificate();

        assertEquals("CN=sub-1", client.getSubjectX500Principal().getName());
        assertEquals(List.of(CLIENT_AUTH), client.getExtendedKeyUsage());
        assertEquals(-1, client.getBasicConstraints(), "a connector certificate must not be a CA");
        assertEquals(ca.ca().certificate().getSubjectX500Principal(), client.getIssuerX500Principal());
        client.checkValidity();
    }

    @Test
    void clientCertificateVerifiesOnlyAgainstItsCa() throws Exception {
        X509Certificate client = ca.issueClient("sub-1").certificate();
        client.verify(ca.ca().certificate().getPublicKey());

        CertificateAuthority other = CertificateAuthority.create("dev connectors CA");
        assertThrows(
                SignatureException.class,
                () -> client.verify(other.ca().certificate().getPublicKey()));
    }

    @Test
    void eachIssueHasItsOwnKeyAndSerial() {
        CertificateAuthority.Issued first = ca.issueClient("sub-1");
        CertificateAuthority.Issued second = ca.issueClient("sub-1");
        assertNotEquals(first.keyPair().getPublic(), second.keyPair().getPublic());
        assertNotEquals(
                first.certificate().getSerialNumber(), second.certificate().getSerialNumber());
    }

    @Test
    void writesPemFilesThatReadBack(@TempDir Path dir) throws Exception {
        CertificateAuthority.Issued client = ca.issueClient("sub-1");
        client.write(dir.resolve("certs"), "connector");

        Path certFile = dir.resolve("certs/connector.pem");
        Path keyFile = dir.resolve("certs/connector-key.pem");
        assertTrue(Files.readString(certFile).startsWith("-----BEGIN CERTIFICATE-----"));
        assertTrue(Files.readString(keyFile).startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8, unencrypted");
        assertEquals(client.certificate(), readCertificate(certFile));
    }

    private static X509Certificate readCertificate(Path file) throws IOException, CertificateException {
        try (var in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
