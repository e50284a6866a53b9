package io.connectivityproxy.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
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
    final CertificateIssuer issuer =
            new CertificateIssuer(Clock.fixed(NOW, ZoneOffset.UTC), new SecureRandom(new byte[] {1}));
    final KeyAndCertificate ca = issuer.certificateAuthority("test CA", Duration.ofDays(3650));
    final KeyAndCertificate connectorCa = issuer.certificateAuthority("test connector CA", Duration.ofDays(3650));

    @Test
    void caSecretIsAKubernetesTlsSecretThatReadsBack() {
        Secret secret = TlsSecrets.caSecret(Fixtures.cr(), Names.CA_SECRET, ca);
        assertEquals("kubernetes.io/tls", secret.getType());
        assertEquals(
                List.of("ca.crt", "tls.crt", "tls.key"),
                List.copyOf(secret.getData().keySet()));
        KeyAndCertificate read = TlsSecrets.readKeyAndCertificate(secret);
        assertEquals(ca.certificate(), read.certificate());
        assertEquals(ca.key(), read.key());
        assertTrue(ca.certificate().getBasicConstraints() >= 0, "it is a CA");
    }

    @Test
    void gatewaySecretIsSignedByTheCaForTheHostAndTrustsTheConnectorCa() throws Exception {
        ConnectivityProxy cr = Fixtures.cr();
        Secret secret = TlsSecrets.gatewaySecret(
                cr,
                "istio-system",
                Names.GATEWAY_TLS_SECRET,
                "cp.example.org",
                ca,
                connectorCa.certificate(),
                Optional.empty(),
                issuer,
                Duration.ofDays(365),
                NOW);
        assertEquals("istio-system", secret.getMetadata().getNamespace());
        assertTrue(secret.getMetadata().getOwnerReferences().isEmpty(), "no owner reference across namespaces");
        X509Certificate server = Pem.certificate(decode(secret, "tls.crt"));
        server.verify(ca.certificate().getPublicKey());
        assertEquals(
                List.of(List.of(2, "cp.example.org"), List.of(2, "healthcheck.cp.example.org")),
                server.getSubjectAlternativeNames().stream().map(List::copyOf).toList(),
                "the external host and SAP's health check host, which the Gateway serves with the same certificate");
        assertTrue(server.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
        assertEquals(connectorCa.certificate(), Pem.certificate(decode(secret, "ca.crt")));
    }

    @Test
    void anExistingFittingCertificateIsKeptAndAChangedHostGetsANewOne() {
        ConnectivityProxy cr = Fixtures.cr();
        Secret first = TlsSecrets.gatewaySecret(
                cr,
                "istio-system",
                Names.GATEWAY_TLS_SECRET,
                "cp.example.org",
                ca,
                connectorCa.certificate(),
                Optional.empty(),
                issuer,
                Duration.ofDays(365),
                NOW);
        Secret again = TlsSecrets.gatewaySecret(
                cr,
                "istio-system",
                Names.GATEWAY_TLS_SECRET,
                "cp.example.org",
                ca,
                connectorCa.certificate(),
                Optional.of(first),
                issuer,
                Duration.ofDays(365),
                NOW);
        assertEquals(first.getData(), again.getData(), "reconciling again issues nothing new");

        Secret otherHost = TlsSecrets.gatewaySecret(
                cr,
                "istio-system",
                Names.GATEWAY_TLS_SECRET,
                "other.example.org",
                ca,
                connectorCa.certificate(),
                Optional.of(first),
                issuer,
                Duration.ofDays(365),
                NOW);
        assertNotEquals(first.getData().get("tls.crt"), otherHost.getData().get("tls.crt"));

        Secret withoutHealthcheck = TlsSecrets.gatewaySecret(
                cr,
                "istio-system",
                Names.GATEWAY_TLS_SECRET,
                "cp.example.org",
                ca,
                connectorCa.certificate(),
                Optional.empty(),
                issuer,
                Duration.ofDays(365),
                NOW);
        java.util.Map<String, String> oldData = new java.util.HashMap<>(withoutHealthcheck.getData());
        oldData.put(
                "tls.crt",
                java.util.Base64.getEncoder()
                        .encodeToString((Pem.encode(issuer.serverCertificate(
                                                        ca, List.of("cp.example.org"), Duration.ofDays(365))
                                                .certificate())
                                        + Pem.encode(ca.certificate()))
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        withoutHealthcheck.setData(oldData);
        Secret upgraded = TlsSecrets.gatewaySecret(
                cr,
                "istio-system",
                Names.GATEWAY_TLS_SECRET,
                "cp.example.org",
                ca,
                connectorCa.certificate(),
                Optional.of(withoutHealthcheck),
                issuer,
                Duration.ofDays(365),
                NOW);
        assertNotEquals(
                oldData.get("tls.crt"),
                upgraded.getData().get("tls.crt"),
                "a certificate without the health check host is issued anew");

        Secret nearExpiry = TlsSecrets.gatewaySecret(
                cr,
                "istio-system",
                Names.GATEWAY_TLS_SECRET,
                "cp.example.org",
                ca,
                connectorCa.certificate(),
                Optional.of(first),
                issuer,
                Duration.ofDays(365),
                NOW.plus(Duration.ofDays(350)));
        assertNotEquals(
                first.getData().get("tls.crt"), nearExpiry.getData().get("tls.crt"), "renewed 30 days before expiry");
    }

    @Test
    void clusterMemberSecretIsSignedByTheClusterCaForBothDirectionsWithAPkcs8Key() throws Exception {
        KeyAndCertificate clusterCa = issuer.certificateAuthority("test cluster CA", Duration.ofDays(3650));
        Secret secret = TlsSecrets.clusterMemberSecret(
                Fixtures.cr(), clusterCa, Optional.empty(), issuer, Duration.ofDays(365), NOW);
        assertEquals(Names.CLUSTER_TLS_SECRET, secret.getMetadata().getName());
        assertEquals(Fixtures.NS, secret.getMetadata().getNamespace());
        assertEquals("uid-1", secret.getMetadata().getOwnerReferences().get(0).getUid());
        assertEquals("kubernetes.io/tls", secret.getType());
        assertEquals(
                List.of("ca.crt", "tls.crt", "tls.key"),
                List.copyOf(secret.getData().keySet()));

        X509Certificate member = Pem.certificate(decode(secret, "tls.crt"));
        member.verify(clusterCa.certificate().getPublicKey());
        assertEquals(
                "CN=connectivity-proxy-cluster,O=connectivity-proxy",
                member.getSubjectX500Principal().getName());
        assertEquals(
                List.of("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"),
                member.getExtendedKeyUsage(),
                "clientAuth and serverAuth");
        assertEquals(-1, member.getBasicConstraints(), "not a CA");
        assertTrue(member.getKeyUsage()[0], "digitalSignature");
        assertEquals(
                List.of(
                        List.of(2, "connectivity-proxy-cluster"),
                        List.of(2, "connectivity-proxy-cluster.kyma-system.svc.cluster.local")),
                member.getSubjectAlternativeNames().stream().map(List::copyOf).toList());
        assertEquals(NOW.plus(Duration.ofDays(365)), member.getNotAfter().toInstant());
        assertEquals(clusterCa.certificate(), Pem.certificate(decode(secret, "ca.crt")));
        assertTrue(
                decode(secret, "tls.crt").indexOf("-----BEGIN CERTIFICATE-----")
                        == decode(secret, "tls.crt").lastIndexOf("-----BEGIN CERTIFICATE-----"),
                "the member certificate alone");

        String key = decode(secret, "tls.key");
        assertTrue(
                key.startsWith("-----BEGIN PRIVATE KEY-----\n"),
                "PKCS#8, not SEC1 or PKCS#1: " + key.lines().findFirst());
        PrivateKey parsed = KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder()
                        .decode(key.replace("-----BEGIN PRIVATE KEY-----", "")
                                .replace("-----END PRIVATE KEY-----", ""))));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(parsed);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(member.getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(signature), "the key belongs to the certificate");
    }

    @Test
    void clusterMemberCertificateIsKeptUntilTheCaChangesOrItNearsItsEnd() {
        KeyAndCertificate clusterCa = issuer.certificateAuthority("test cluster CA", Duration.ofDays(3650));
        ConnectivityProxy cr = Fixtures.cr();
        Secret first =
                TlsSecrets.clusterMemberSecret(cr, clusterCa, Optional.empty(), issuer, Duration.ofDays(365), NOW);
        Secret again = TlsSecrets.clusterMemberSecret(
                cr, clusterCa, Optional.of(first), issuer, Duration.ofDays(365), NOW.plus(Duration.ofDays(300)));
        assertEquals(first.getData(), again.getData(), "reconciling again issues nothing new");
        assertEquals(
                TlsSecrets.certificateFingerprint(first), TlsSecrets.certificateFingerprint(again), "so no pod rolls");

        Secret nearExpiry = TlsSecrets.clusterMemberSecret(
                cr, clusterCa, Optional.of(first), issuer, Duration.ofDays(365), NOW.plus(Duration.ofDays(336)));
        assertNotEquals(
                first.getData().get("tls.crt"), nearExpiry.getData().get("tls.crt"), "renewed 30 days before expiry");
        assertNotEquals(
                TlsSecrets.certificateFingerprint(first),
                TlsSecrets.certificateFingerprint(nearExpiry),
                "which rolls the pods");

        KeyAndCertificate newCa = issuer.certificateAuthority("replaced cluster CA", Duration.ofDays(3650));
        Secret otherCa =
                TlsSecrets.clusterMemberSecret(cr, newCa, Optional.of(first), issuer, Duration.ofDays(365), NOW);
        assertNotEquals(first.getData().get("tls.crt"), otherCa.getData().get("tls.crt"), "a replaced CA is followed");
        assertEquals(newCa.certificate(), Pem.certificate(decode(otherCa, "ca.crt")));

        Secret broken = new io.fabric8.kubernetes.api.model.SecretBuilder(first)
                .addToData("tls.key", "bm90IGEga2V5")
                .build();
        assertNotEquals(
                broken.getData().get("tls.crt"),
                TlsSecrets.clusterMemberSecret(cr, clusterCa, Optional.of(broken), issuer, Duration.ofDays(365), NOW)
                        .getData()
                        .get("tls.crt"),
                "an unreadable key is replaced");
    }

    private static String decode(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
}
