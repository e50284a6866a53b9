package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.tls.CertificateIssuer;
import io.connectivityproxy.operator.tls.KeyAndCertificate;
import io.connectivityproxy.operator.tls.Pem;
import io.fabric8.kubernetes.api.model.Secret;

class TlsSecretsTest {

    static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    final CertificateIssuer issuer = new CertificateIssuer(Clock.fixed(NOW, ZoneOffset.UTC), new SecureRandom(new byte[] { 1 }));
    final KeyAndCertificate ca = issuer.certificateAuthority("test CA", Duration.ofDays(3650));
    final KeyAndCertificate connectorCa = issuer.certificateAuthority("test connector CA", Duration.ofDays(3650));

    @Test
    void caSecretIsAKubernetesTlsSecretThatReadsBack() {
        Secret secret = TlsSecrets.caSecret(Fixtures.cr(), Names.CA_SECRET, ca);
        assertEquals("kubernetes.io/tls", secret.getType());
        assertEquals(List.of("ca.crt", "tls.crt", "tls.key"), List.copyOf(secret.getData().keySet()));
        KeyAndCertificate read = TlsSecrets.readKeyAndCertificate(secret);
        assertEquals(ca.certificate(), read.certificate());
        assertEquals(ca.key(), read.key());
        assertTrue(ca.certificate().getBasicConstraints() >= 0, "it is a CA");
    }

    @Test
    void gatewaySecretIsSignedByTheCaForTheHostAndTrustsTheConnectorCa() throws Exception {
        ConnectivityProxy cr = Fixtures.cr();
        Secret secret = TlsSecrets.gatewaySecret(cr, "istio-system", Names.GATEWAY_TLS_SECRET, "cp.example.org", ca,
                connectorCa.certificate(), Optional.empty(), issuer, Duration.ofDays(365), NOW);
        assertEquals("istio-system", secret.getMetadata().getNamespace());
        assertTrue(secret.getMetadata().getOwnerReferences().isEmpty(), "no owner reference across namespaces");
        X509Certificate server = Pem.certificate(decode(secret, "tls.crt"));
        server.verify(ca.certificate().getPublicKey());
        assertEquals(List.of(2, "cp.example.org"), List.copyOf(server.getSubjectAlternativeNames().iterator().next()));
        assertTrue(server.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
        assertEquals(connectorCa.certificate(), Pem.certificate(decode(secret, "ca.crt")));
    }

    @Test
    void anExistingFittingCertificateIsKeptAndAChangedHostGetsANewOne() {
        ConnectivityProxy cr = Fixtures.cr();
        Secret first = TlsSecrets.gatewaySecret(cr, "istio-system", Names.GATEWAY_TLS_SECRET, "cp.example.org", ca,
                connectorCa.certificate(), Optional.empty(), issuer, Duration.ofDays(365), NOW);
        Secret again = TlsSecrets.gatewaySecret(cr, "istio-system", Names.GATEWAY_TLS_SECRET, "cp.example.org", ca,
                connectorCa.certificate(), Optional.of(first), issuer, Duration.ofDays(365), NOW);
        assertEquals(first.getData(), again.getData(), "reconciling again issues nothing new");

        Secret otherHost = TlsSecrets.gatewaySecret(cr, "istio-system", Names.GATEWAY_TLS_SECRET, "other.example.org", ca,
                connectorCa.certificate(), Optional.of(first), issuer, Duration.ofDays(365), NOW);
        assertNotEquals(first.getData().get("tls.crt"), otherHost.getData().get("tls.crt"));

        Secret nearExpiry = TlsSecrets.gatewaySecret(cr, "istio-system", Names.GATEWAY_TLS_SECRET, "cp.example.org", ca,
                connectorCa.certificate(), Optional.of(first), issuer, Duration.ofDays(365), NOW.plus(Duration.ofDays(350)));
        assertNotEquals(first.getData().get("tls.crt"), nearExpiry.getData().get("tls.crt"), "renewed 30 days before expiry");
    }

    private static String decode(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
}
