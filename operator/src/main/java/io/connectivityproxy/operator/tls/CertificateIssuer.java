package io.connectivityproxy.operator.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the installation's certificates with BouncyCastle: CAs, the gateway's server
 * certificate and the cluster members' certificate. EC P-256 keys, which Envoy, the JDK and Quarkus all accept. Time and randomness
 * come in from outside so that tests can fix them.
 */
public class CertificateIssuer {

    private static final String SIGNATURE = "SHA256withECDSA";
    /** Certificates start this early so that a node with a slightly late clock accepts them. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private final Clock clock;
    private final SecureRandom random;

    public CertificateIssuer(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
    }

    /** A self-signed CA that may sign end-entity certificates only (path length 0). */
    public KeyAndCertificate certificateAuthority(String commonName, Duration validity) {
        KeyPair keys = newKeyPair();
        X500Name subject = name(commonName);
        try {
            X509v3CertificateBuilder builder = builder(subject, subject, keys, validity);
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(
                    Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
            return new KeyAndCertificate(keys.getPrivate(), sign(builder, keys.getPrivate()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue CA certificate " + commonName, e);
        }
    }

    /** A TLS server certificate for the {@code hosts} (the first is also its CN), signed by {@code issuer}. */
    public KeyAndCertificate serverCertificate(KeyAndCertificate issuer, List<String> hosts, Duration validity) {
        String host = hosts.get(0);
        KeyPair keys = newKeyPair();
        try {
            X500Name issuerName = X500Name.getInstance(
                    issuer.certificate().getSubjectX500Principal().getEncoded());
            // RFC 5280 caps a CN at 64 characters; clients check the SAN anyway.
            String commonName = host.length() <= 64 ? host : "connectivity-proxy-tunnel";
            X509v3CertificateBuilder builder = builder(issuerName, name(commonName), keys, validity);
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(hosts.stream()
                            .map(name -> new GeneralName(GeneralName.dNSName, name))
                            .toArray(GeneralName[]::new)));
            builder.addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    extensions.createAuthorityKeyIdentifier(issuer.certificate()));
            return new KeyAndCertificate(keys.getPrivate(), sign(builder, issuer.key()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue server certificate for " + hosts, e);
        }
    }

    /**
     * A certificate that identifies a cluster member both ways on the event bus: the same one
     * serves a node's server side and its client side, hence clientAuth and serverAuth. Members are
     * addressed by pod IP, so peers check the chain (and the CN), not a host name; the DNS names are
     * informative.
     */
    public KeyAndCertificate memberCertificate(
            KeyAndCertificate issuer, String commonName, List<String> dnsNames, Duration validity) {
        KeyPair keys = newKeyPair();
        try {
            X500Name issuerName = X500Name.getInstance(
                    issuer.certificate().getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder builder = builder(issuerName, name(commonName), keys, validity);
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth
            }));
            builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(dnsNames.stream()
                            .map(n -> new GeneralName(GeneralName.dNSName, n))
                            .toArray(GeneralName[]::new)));
            builder.addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    extensions.createAuthorityKeyIdentifier(issuer.certificate()));
            return new KeyAndCertificate(keys.getPrivate(), sign(builder, issuer.key()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue member certificate " + commonName, e);
        }
    }

    private X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Duration validity) {
        Instant now = clock.instant();
        BigInteger serial = new BigInteger(127, random).add(BigInteger.ONE);
        return new JcaX509v3CertificateBuilder(
                issuer,
                serial,
                Date.from(now.minus(BACKDATE)),
                Date.from(now.plus(validity)),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, java.security.PrivateKey key)
            throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(key);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available", e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "connectivity-proxy")
                .addRDN(BCStyle.CN, commonName)
                .build();
    }
}
