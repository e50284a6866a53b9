package io.connectivityproxy.cluster;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for development and tests: EC P-256 keys, X.509 v3 certificates
 * built with BouncyCastle, written as PEM. Production installations get their CAs from the
 * operator; this one exists so that one command can start a working mutual-TLS tunnel and a
 * mutual-TLS cluster.
 */
public final class CertificateAuthority {

    /** A certificate with its private key. */
    public record Issued(X509Certificate certificate, KeyPair keyPair) {

        /** Writes {@code <name>.pem} (certificate) and {@code <name>-key.pem} (PKCS#8 key). */
        public void write(Path dir, String name) {
            writePem(dir.resolve(name + ".pem"), certificate);
            writePem(dir.resolve(name + "-key.pem"), keyPair.getPrivate());
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration VALIDITY = Duration.ofDays(825);

    private final Issued ca;

    private CertificateAuthority(Issued ca) {
        this.ca = ca;
    }

    /** A new self-signed CA named {@code CN=<commonName>}. */
    public static CertificateAuthority create(String commonName) {
        KeyPair keys = newKeyPair();
        X500Name name = new X500Name("CN=" + commonName);
        try {
            X509v3CertificateBuilder builder = builder(name, name, keys);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(
                    Extension.subjectKeyIdentifier,
                    false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(new Issued(sign(builder, keys), keys));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a CA certificate", e);
        }
    }

    public Issued ca() {
        return ca;
    }

    /** A TLS server certificate for the given DNS names and IP addresses. */
    public Issued issueServer(String commonName, List<String> dnsNames, List<String> ipAddresses) {
        KeyPair keys = newKeyPair();
        try {
            X509v3CertificateBuilder builder = leaf("CN=" + commonName, keys, KeyPurposeId.id_kp_serverAuth);
            GeneralName[] names = new GeneralName[dnsNames.size() + ipAddresses.size()];
            int i = 0;
            for (String dns : dnsNames) {
                names[i++] = new GeneralName(GeneralName.dNSName, dns);
            }
            for (String ip : ipAddresses) {
                names[i++] = new GeneralName(GeneralName.iPAddress, ip);
            }
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            return new Issued(sign(builder, ca.keyPair()), keys);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a server certificate", e);
        }
    }

    /**
     * A cluster member certificate: both ends of an event bus connection present one, so it is
     * good for TLS server and client authentication alike.
     */
    public Issued issueMember(String commonName) {
        KeyPair keys = newKeyPair();
        try {
            return new Issued(
                    sign(
                            leaf(
                                    "CN=" + commonName,
                                    keys,
                                    KeyPurposeId.id_kp_serverAuth,
                                    KeyPurposeId.id_kp_clientAuth),
                            ca.keyPair()),
                    keys);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a member certificate", e);
        }
    }

    /** A TLS client certificate whose subject is {@code CN=<subaccount>} (how connectors are named). */
    public Issued issueClient(String subaccount) {
        KeyPair keys = newKeyPair();
        try {
            return new Issued(sign(leaf("CN=" + subaccount, keys, KeyPurposeId.id_kp_clientAuth), ca.keyPair()), keys);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a client certificate", e);
        }
    }

    private X509v3CertificateBuilder leaf(String subject, KeyPair keys, KeyPurposeId... purposes)
            throws IOException, GeneralSecurityException {
        X509v3CertificateBuilder builder = builder(
                X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                new X500Name(subject),
                keys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
        builder.addExtension(
                Extension.authorityKeyIdentifier,
                false,
                new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.certificate()));
        return builder;
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                new BigInteger(128, RANDOM).abs(),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(VALIDITY)),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available", e);
        }
    }

    /**
     * Writes through a temporary file and an atomic rename, so a process reading the file at the
     * same time sees either nothing or all of it; private keys are readable by the owner only.
     */
    static void writePem(Path file, Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(
                    object instanceof java.security.PrivateKey key
                            ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate()
                            : object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.createDirectories(file.getParent());
            Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            try {
                permissions(temporary, object instanceof java.security.PrivateKey ? "rw-------" : "rw-r--r--");
                Files.writeString(temporary, out.toString());
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void permissions(Path file, String posix) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(posix));
        }
    }
}
