package io.connectivityproxy.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * The mutual TLS of the clustered event bus, resolved from {@code cluster.tls.*}: the member
 * certificate, its key and the cluster CA, from the configured files or the development
 * directory, or off when turned off explicitly. With neither the node refuses to start.
 *
 * <p>Each event bus connection is TLS both ways: the server requires a client certificate and
 * both ends trust the cluster CA only. Vert.x does no host name verification on cluster
 * connections (nodes advertise pod IPs, not names); any certificate of the cluster CA is a
 * member, so that CA must sign member certificates and nothing else. Vert.x hands the options
 * on as JSON to its client, so only PEM file options (no custom trust managers) are used.
 */
final class EventBusTls {

    /** Where the certificates came from. */
    enum Source {
        CONFIGURED,
        DEVELOPMENT,
        OFF
    }

    private final Source source;
    private final Path certificate;
    private final Path key;
    private final Path ca;
    private final boolean openssl;

    private EventBusTls(Source source, Path certificate, Path key, Path ca, boolean openssl) {
        this.source = source;
        this.certificate = certificate;
        this.key = key;
        this.ca = ca;
        this.openssl = openssl;
    }

    /** Resolves the settings; throws with what to set when they leave the event bus unprotected by mistake. */
    static EventBusTls resolve(ClusterSettings.Tls tls) {
        if (!tls.enabled()) {
            return new EventBusTls(Source.OFF, null, null, null, false);
        }
        List<String> missing = new ArrayList<>();
        Optional<Path> certificate = named(tls.certificate(), "cluster.tls.certificate", missing);
        Optional<Path> key = named(tls.key(), "cluster.tls.key", missing);
        Optional<Path> ca = named(tls.ca(), "cluster.tls.ca", missing);
        if (missing.isEmpty()) {
            return readable(new EventBusTls(Source.CONFIGURED, certificate.get(), key.get(), ca.get(), tls.openssl()));
        }
        if (missing.size() < 3) {
            throw new IllegalStateException("cluster.tls.certificate, cluster.tls.key and cluster.tls.ca go together: "
                    + String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are") + " not set");
        }
        if (tls.devCertificatesDir().isPresent()) {
            List<Path> dev =
                    DevClusterCertificates.ensure(tls.devCertificatesDir().get());
            return readable(new EventBusTls(Source.DEVELOPMENT, dev.get(0), dev.get(1), dev.get(2), tls.openssl()));
        }
        throw new IllegalStateException("the cluster event bus carries every stream and needs mutual TLS: set "
                + "cluster.tls.certificate, cluster.tls.key and cluster.tls.ca (CLUSTER_TLS_CERTIFICATE, "
                + "CLUSTER_TLS_KEY, CLUSTER_TLS_CA), or cluster.tls.dev-certificates-dir for a local trial, or "
                + "cluster.tls.enabled=false where something else keeps strangers off the event bus port");
    }

    private static Optional<Path> named(Optional<Path> file, String property, List<String> missing) {
        if (file.isEmpty()) {
            missing.add(property);
        }
        return file;
    }

    private static EventBusTls readable(EventBusTls tls) {
        for (Path file : List.of(tls.certificate, tls.key, tls.ca)) {
            if (!Files.isReadable(file)) {
                throw new IllegalStateException("cluster TLS file " + file + " does not exist or is not readable");
            }
        }
        return tls;
    }

    boolean enabled() {
        return source != Source.OFF;
    }

    boolean development() {
        return source == Source.DEVELOPMENT;
    }

    /** Configures server and client side of the event bus (the client is built from the same options). */
    void apply(EventBusOptions options) {
        if (!enabled()) {
            options.setSsl(false);
            return;
        }
        options.setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(certificate.toString())
                        .setKeyPath(key.toString()))
                .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
                .setClientAuth(ClientAuth.REQUIRED)
                .setTrustAll(false);
        if (openssl && OpenSSLEngineOptions.isAvailable()) {
            options.setSslEngineOptions(new OpenSSLEngineOptions());
        }
    }

    /** One phrase for the log and readiness, e.g. "mutual TLS, cluster CA /etc/cluster-tls/ca.crt, BoringSSL". */
    String describe() {
        if (!enabled()) {
            return "plain TCP (cluster.tls.enabled=false)";
        }
        return "mutual TLS, cluster CA " + ca + (development() ? " (development certificates)" : "")
                + (openssl && OpenSSLEngineOptions.isAvailable() ? ", BoringSSL" : ", JDK TLS engine");
    }
}
