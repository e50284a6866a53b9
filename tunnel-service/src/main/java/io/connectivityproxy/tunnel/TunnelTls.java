package io.connectivityproxy.tunnel;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import org.jboss.logging.Logger;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;

/**
 * TLS of the tunnel endpoint. The handshake asks for a client certificate but does not judge
 * it; {@link #verify} does that right after, with the JDK's PKIX trust manager over the
 * connector CA. Verifying one step later lets a refused connector get an HTTP 401 that says
 * why, and lets the audit line name its address and subject — a failed TLS handshake gives
 * neither. The handshake itself still proves the client holds the certificate's key.
 */
final class TunnelTls {

    private static final Logger LOG = Logger.getLogger(TunnelTls.class);

    private final Path certificate;
    private final Path key;
    private final X509TrustManager connectorCa;

    private TunnelTls(Path certificate, Path key, X509TrustManager connectorCa) {
        this.certificate = certificate;
        this.key = key;
        this.connectorCa = connectorCa;
    }

    static TunnelTls load(Path certificate, Path key, Path clientCa) {
        for (Path file : List.of(certificate, key, clientCa)) {
            if (!Files.isReadable(file)) {
                throw new IllegalStateException("tunnel TLS file " + file + " does not exist or is not readable");
            }
        }
        return new TunnelTls(certificate, key, trustManager(clientCa));
    }

    /** Configures the server for mutual TLS; returns which TLS engine it uses, for the log. */
    String apply(HttpServerOptions options, boolean openssl) {
        boolean boringSsl = openssl && OpenSSLEngineOptions.isAvailable();
        if (boringSsl) {
            options.setSslEngineOptions(new OpenSSLEngineOptions());
        }
        options.setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(certificate.toString())
                        .setKeyPath(key.toString()))
                .setClientAuth(ClientAuth.REQUEST)
                .setTrustOptions(TrustOptions.wrap(new RequestingTrustManager()));
        return boringSsl ? "mutual TLS, BoringSSL" : "mutual TLS, JDK TLS engine";
    }

    /** Checks a client chain against the connector CA; returns null when trusted, else why not. */
    String verify(X509Certificate[] chain) {
        if (chain == null || chain.length == 0) {
            return "no client certificate";
        }
        try {
            connectorCa.checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
            return null;
        } catch (CertificateException | RuntimeException e) {
            LOG.debugf("client certificate refused: %s", e.getMessage());
            return "client certificate is not signed by the connector CA or is not valid: " + e.getMessage();
        }
    }

    private static X509TrustManager trustManager(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
            if (i == 0) {
                throw new IllegalStateException("no CA certificate in " + caFile);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("no X.509 trust manager available");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the connector CA " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** Requests a client certificate during the handshake and leaves the verdict to {@link #verify}. */
    private final class RequestingTrustManager extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("this trust manager only checks clients");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("this trust manager only checks clients");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this trust manager only checks clients");
        }

        /**
         * Names no issuer: a client only offers a certificate from a listed CA, and one from a
         * wrong CA should still be presented, so the refusal can say so and be audited.
         */
        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
