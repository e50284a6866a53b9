package io.connectivityproxy.operator.model;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.tls.CertificateIssuer;
import io.connectivityproxy.operator.tls.KeyAndCertificate;
import io.connectivityproxy.operator.tls.Pem;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;

/**
 * The installation's TLS material as {@code kubernetes.io/tls} Secrets: three CAs in the
 * installation's namespace (gateway, connectors, cluster members); the gateway's server
 * certificate in the ingress namespace with {@code ca.crt} = the connector CA, which is how Istio
 * learns whom to accept in MUTUAL mode; and the cluster members' certificate for the event bus.
 * Each CA signs for one purpose only, so a certificate of one kind never passes as another.
 */
public final class TlsSecrets {

    public static final String TLS_CRT = "tls.crt";
    public static final String TLS_KEY = "tls.key";
    public static final String CA_CRT = "ca.crt";
    /** A server certificate this close to expiry is issued anew. */
    public static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private TlsSecrets() {}

    /** A CA Secret: {@code tls.crt} and {@code ca.crt} are the CA certificate, {@code tls.key} its key. */
    public static Secret caSecret(ConnectivityProxy cr, String name, KeyAndCertificate ca) {
        String certificate = Pem.encode(ca.certificate());
        return secret(
                ObjectMetas.owned(cr, name, "tls"),
                Map.of(TLS_CRT, certificate, TLS_KEY, Pem.encode(ca.key()), CA_CRT, certificate));
    }

    public static KeyAndCertificate readKeyAndCertificate(Secret secret) {
        Map<String, String> data = decode(secret);
        return new KeyAndCertificate(Pem.privateKey(data.get(TLS_KEY)), Pem.certificate(data.get(TLS_CRT)));
    }

    /**
     * The gateway's Secret: the existing one while it still fits (same host, same CAs, not about to
     * expire), otherwise a new server certificate from {@code issuer}. So reconciling again writes
     * nothing, and a changed host or CA is followed. The certificate names the external host and
     * SAP's health check host {@code healthcheck.<host>}, which the Gateway serves with it too.
     */
    public static Secret gatewaySecret(
            ConnectivityProxy cr,
            String namespace,
            String name,
            String host,
            KeyAndCertificate ca,
            X509Certificate connectorCa,
            Optional<Secret> existing,
            CertificateIssuer issuer,
            Duration validity,
            Instant now) {
        String caPem = Pem.encode(ca.certificate());
        String connectorCaPem = Pem.encode(connectorCa);
        ObjectMeta metadata = ObjectMetas.foreign(cr, namespace, name, "tls");
        List<String> hosts = List.of(host, Names.healthcheckHost(host));
        if (existing.isPresent() && stillFits(existing.get(), hosts, caPem, connectorCaPem, ca.certificate(), now)) {
            return secret(metadata, decode(existing.get()));
        }
        KeyAndCertificate server = issuer.serverCertificate(ca, hosts, validity);
        Map<String, String> data = new LinkedHashMap<>();
        data.put(TLS_CRT, Pem.encode(server.certificate()) + caPem);
        data.put(TLS_KEY, Pem.encode(server.key()));
        data.put(CA_CRT, connectorCaPem);
        return secret(metadata, data);
    }

    /**
     * The cluster members' Secret {@code connectivity-proxy-cluster-tls}: one certificate for every
     * pod of both workloads (CN {@code connectivity-proxy-cluster}, clientAuth and serverAuth), its
     * PKCS#8 key, and {@code ca.crt} = the cluster CA, the only CA members trust on the event bus.
     * Kept while it still fits (same CA, not about to expire), reissued otherwise, as the gateway's.
     */
    public static Secret clusterMemberSecret(
            ConnectivityProxy cr,
            KeyAndCertificate clusterCa,
            Optional<Secret> existing,
            CertificateIssuer issuer,
            Duration validity,
            Instant now) {
        String caPem = Pem.encode(clusterCa.certificate());
        ObjectMeta metadata = ObjectMetas.owned(cr, Names.CLUSTER_TLS_SECRET, "tls");
        if (existing.isPresent() && memberStillFits(existing.get(), caPem, clusterCa.certificate(), now)) {
            return secret(metadata, decode(existing.get()));
        }
        KeyAndCertificate member = issuer.memberCertificate(
                clusterCa,
                Names.CLUSTER_MEMBER_CN,
                List.of(
                        Names.CLUSTER_MEMBER_CN,
                        Names.serviceHost(Names.CLUSTER, cr.getMetadata().getNamespace())),
                validity);
        Map<String, String> data = new LinkedHashMap<>();
        data.put(TLS_CRT, Pem.encode(member.certificate()));
        data.put(TLS_KEY, Pem.encode(member.key()));
        data.put(CA_CRT, caPem);
        return secret(metadata, data);
    }

    /** A short digest of a Secret's certificate: when it changes, the pods that loaded it must restart. */
    public static String certificateFingerprint(Secret secret) {
        String certificate = secret.getData() == null ? null : secret.getData().get(TLS_CRT);
        return ObjectMetas.sha256Hex(ObjectMetas.utf8(certificate == null ? "" : certificate))
                .substring(0, 16);
    }

    static boolean memberStillFits(Secret secret, String caPem, X509Certificate ca, Instant now) {
        try {
            Map<String, String> data = decode(secret);
            if (!caPem.equals(data.get(CA_CRT)) || data.get(TLS_CRT) == null || data.get(TLS_KEY) == null) {
                return false;
            }
            Pem.privateKey(data.get(TLS_KEY));
            X509Certificate member = Pem.certificate(data.get(TLS_CRT));
            member.verify(ca.getPublicKey());
            return member.getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE));
        } catch (Exception e) {
            // Anything unreadable is replaced by a fresh certificate.
            return false;
        }
    }

    static boolean stillFits(
            Secret secret, List<String> hosts, String caPem, String connectorCaPem, X509Certificate ca, Instant now) {
        try {
            Map<String, String> data = decode(secret);
            if (!connectorCaPem.equals(data.get(CA_CRT))
                    || data.get(TLS_CRT) == null
                    || !data.get(TLS_CRT).endsWith(caPem)) {
                return false;
            }
            X509Certificate server = Pem.certificate(data.get(TLS_CRT));
            server.verify(ca.getPublicKey());
            if (!server.getNotAfter().toInstant().isAfter(now.plus(RENEW_BEFORE))) {
                return false;
            }
            for (String host : hosts) {
                if (!hasDnsName(server, host)) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            // Anything unreadable is replaced by a fresh certificate.
            return false;
        }
    }

    private static boolean hasDnsName(X509Certificate certificate, String host) throws Exception {
        if (certificate.getSubjectAlternativeNames() == null) {
            return false;
        }
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
            if (Integer.valueOf(2).equals(name.get(0)) && host.equals(name.get(1))) {
                return true;
            }
        }
        return false;
    }

    static Map<String, String> decode(Secret secret) {
        Map<String, String> decoded = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData()
                    .forEach((k, v) ->
                            decoded.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        return decoded;
    }

    private static Secret secret(ObjectMeta metadata, Map<String, String> plain) {
        Map<String, String> data = new LinkedHashMap<>();
        plain.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> data.put(
                        e.getKey(),
                        Base64.getEncoder().encodeToString(e.getValue().getBytes(StandardCharsets.UTF_8))));
        // No content digest here: the keys are fixed, and a digest of key material has no place in metadata.
        return new SecretBuilder()
                .withMetadata(metadata)
                .withType("kubernetes.io/tls")
                .withData(data)
                .build();
    }
}
