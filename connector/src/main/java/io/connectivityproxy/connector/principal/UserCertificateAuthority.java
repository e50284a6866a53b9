package io.connectivityproxy.connector.principal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The connector's own CA for principal propagation: it signs the short-lived user certificates
 * that backends trust (SAP's "CA certificate for principal propagation"). Certificates are built
 * with BouncyCastle's builder and signed through the JDK's providers (no BouncyCastle provider
 * is registered, which keeps the native executable to the classes used here).
 */
public final class UserCertificateAuthority {

    /** Key type of user certificates. */
    public enum KeyAlgorithm {
        EC,
        RSA
    }

    /** A user certificate's validity starts this long before it is made (backend clocks run behind). */
    static final Duration BACKDATE = Duration.ofMinutes(1);

    private static final Duration CA_VALIDITY = Duration.ofDays(3650);

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final KeyAlgorithm userKeys;
    private final SecureRandom random = new SecureRandom();

    UserCertificateAuthority(X509Certificate certificate, PrivateKey key, KeyAlgorithm userKeys) {
        this.certificate = certificate;
        this.key = key;
        this.userKeys = userKeys;
    }

    /**
     * The CA from its PEM files; with {@code generate}, a new one is made and written there first
     * when neither file exists (local use). Throws {@link IllegalArgumentException} with a message
     * naming the file.
     */
    public static UserCertificateAuthority open(
            Path certificateFile, Path keyFile, boolean generate, String name, KeyAlgorithm userKeys) {
        boolean haveCertificate = Files.exists(certificateFile);
        boolean haveKey = Files.exists(keyFile);
        if (!haveCertificate && !haveKey && generate) {
            generate(certificateFile, keyFile, name);
        } else if (!haveCertificate || !haveKey) {
            throw new IllegalArgumentException((haveCertificate ? "key: " + keyFile : "certificate: " + certificateFile)
                    + " does not exist"
                    + (generate
                            ? " (a CA is generated only when neither file exists)"
                            : " (set generate: true to create a CA for local use)"));
        }
        X509Certificate certificate;
        PrivateKey key;
        try {
            certificate = Pem.certificates(certificateFile).get(0);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("certificate: cannot read " + certificateFile + ": " + e.getMessage());
        }
        try {
            key = Pem.privateKey(keyFile);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("key: cannot read " + keyFile + ": " + e.getMessage());
        }
        if (!matches(key, certificate.getPublicKey())) {
            throw new IllegalArgumentException("key: " + keyFile + " is not the private key of " + certificateFile);
        }
        if (certificate.getBasicConstraints() < 0) {
            throw new IllegalArgumentException(
                    "certificate: " + certificateFile + " is not a CA certificate " + "(basic constraints CA:true)");
        }
        return new UserCertificateAuthority(certificate, key, userKeys);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A new certificate for {@code subject}, valid from a minute before {@code now} for {@code validity}. */
    public UserCredential issue(X500Principal subject, Instant now, Duration validity) {
        KeyPair keys = newKeyPair(userKeys, random);
        try {
            Instant notAfter = now.plus(validity);
            if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
                notAfter = certificate.getNotAfter().toInstant();
            }
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                    new BigInteger(127, random).setBit(126),
                    Date.from(now.minus(BACKDATE)),
                    Date.from(notAfter),
                    X500Name.getInstance(subject.getEncoded()),
                    keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(
                            userKeys == KeyAlgorithm.RSA
                                    ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                                    : KeyUsage.digitalSignature));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            builder.addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
            return new UserCredential(sign(builder, key), keys.getPrivate());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a user certificate: " + e.getMessage(), e);
        }
    }

    private static void generate(Path certificateFile, Path keyFile, String name) {
        KeyPair keys = newKeyPair(KeyAlgorithm.EC, new SecureRandom());
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    new BigInteger(127, new SecureRandom()).setBit(126),
                    Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(CA_VALIDITY)),
                    subject,
                    keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(
                    Extension.subjectKeyIdentifier,
                    false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate ca = sign(builder, keys.getPrivate());
            write(keyFile, Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()), "rw-------");
            write(certificateFile, Pem.encode("CERTIFICATE", ca.getEncoded()), "rw-r--r--");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "certificate: cannot generate a CA in " + certificateFile + ": " + e.getMessage());
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("certificate: cannot write the generated CA: "
                    + e.getCause().getMessage());
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            String algorithm = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    static KeyPair newKeyPair(KeyAlgorithm algorithm, SecureRandom random) {
        try {
            if (algorithm == KeyAlgorithm.RSA) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048, random);
                return generator.generateKeyPair();
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " keys are not available", e);
        }
    }

    /** True when {@code key} signs what {@code publicKey} verifies. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        try {
            String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            byte[] probe = "principal propagation CA key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signer.sign());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Through a temporary file and an atomic rename, with the permissions given (POSIX only). */
    private static void write(Path file, String text, String permissions) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temporary = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                if (temporary.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString(permissions));
                }
                Files.writeString(temporary, text);
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
