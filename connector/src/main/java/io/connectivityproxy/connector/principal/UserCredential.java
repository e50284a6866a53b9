package io.connectivityproxy.connector.principal;

import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;

/**
 * A short-lived certificate made for one user, with its private key: the TLS client
 * certificate towards an HTTPS backend, or the {@code SSL_CLIENT_CERT} header towards an HTTP
 * one. {@link #toString()} names the subject and serial only.
 */
public final class UserCredential {

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final String base64;

    UserCredential(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
        try {
            this.base64 = Base64.getEncoder().encodeToString(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate just made", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A stable name of this credential (issuer's serial number in hex), e.g. to key connections. */
    public String id() {
        return certificate.getSerialNumber().toString(16);
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /**
     * The certificate for the {@code SSL_CLIENT_CERT} header: the base64 body of its PEM form on
     * one line (no BEGIN/END lines, no line breaks, which a header value cannot carry), as SAP's
     * Web Dispatcher passes a client certificate on to the ICM.
     */
    public String sslClientCertHeader() {
        return base64;
    }

    /** The certificate as a PEM document. */
    public String certificatePem() {
        return Pem.encode("CERTIFICATE", Base64.getDecoder().decode(base64));
    }

    /** The private key as a PEM (PKCS#8) document. */
    public String keyPem() {
        return Pem.encode("PRIVATE KEY", key.getEncoded());
    }

    @Override
    public String toString() {
        return "UserCredential[" + certificate.getSubjectX500Principal().getName() + ", serial " + id() + "]";
    }
}
