package io.connectivityproxy.operator.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** A private key and the certificate for it. */
public record KeyAndCertificate(PrivateKey key, X509Certificate certificate) {}
