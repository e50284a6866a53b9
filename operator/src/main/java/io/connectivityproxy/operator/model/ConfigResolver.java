package io.connectivityproxy.operator.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ConnectivityProxySpec;
import io.connectivityproxy.operator.api.ProxyConfig;
import io.connectivityproxy.operator.api.TenantMode;

/** Replaces the spec's {@code auto-provision} values by what the cluster provides. Pure. */
public final class ConfigResolver {

    // Sorted keys make the digest independent of field and map order, so equal input never rolls pods.
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private ConfigResolver() {}

    public static ResolvedConfig resolve(ConnectivityProxy cr, ClusterFacts facts) {
        ConnectivityProxySpec spec = cr.getSpec();
        String namespace = cr.getMetadata().getNamespace();
        ProxyConfig config = spec.getConfig();
        List<String> missing = new ArrayList<>();

        boolean provisionServiceKey = ConnectivityProxySpec.isAutoProvision(
                spec.getSecretConfig().getIntegration().getConnectivityService().getSecretName());
        String serviceKeySecret = serviceKeySecretName(spec);
        Optional<ServiceKey> key = facts.serviceKey();

        Optional<String> externalHost = resolveHost(config, facts, missing);
        Optional<String> subaccountId = resolveFromKey(config.getSubaccountId(), key.flatMap(ServiceKey::subaccountId));
        Optional<String> subdomain =
                resolveFromKey(config.getSubaccountSubdomain(), key.flatMap(ServiceKey::subaccountSubdomain));
        boolean shared = TenantMode.fromValue(config.getTenantMode()) == TenantMode.SHARED;
        if (subaccountId.isEmpty() && !shared) {
            missing.add(
                    key.isEmpty()
                            ? "Secret " + namespace + "/" + serviceKeySecret
                                    + " with the service key does not exist yet"
                            : "Secret " + namespace + "/" + serviceKeySecret + " has no subaccount_id");
        }
        ProxyAuthorization authorization = ProxyAuthorization.of(config, key);

        String tlsSecret = spec.getIngress().getTls().getSecretName();
        boolean generateTls = ConnectivityProxySpec.isAutoProvision(tlsSecret);
        String gatewayTlsSecret = generateTls ? Names.GATEWAY_TLS_SECRET : tlsSecret;

        String hash = digest(spec, externalHost, subaccountId, subdomain, authorization, facts.restartFingerprint());
        return new ResolvedConfig(
                externalHost,
                config.getServers().getBusinessDataTunnel().getExternalPort(),
                subaccountId,
                subdomain,
                gatewayTlsSecret,
                generateTls,
                serviceKeySecret,
                provisionServiceKey,
                List.copyOf(missing),
                hash,
                shared,
                authorization);
    }

    /** The Secret holding the service key: the given one, or the one the operator's ServiceBinding writes. */
    public static String serviceKeySecretName(ConnectivityProxySpec spec) {
        String given =
                spec.getSecretConfig().getIntegration().getConnectivityService().getSecretName();
        return ConnectivityProxySpec.isAutoProvision(given) ? Names.SERVICE_KEY_SECRET : given;
    }

    private static Optional<String> resolveHost(ProxyConfig config, ClusterFacts facts, List<String> missing) {
        String host = config.getServers().getBusinessDataTunnel().getExternalHost();
        if (!ConnectivityProxySpec.isAutoProvision(host)) {
            return Optional.of(host);
        }
        if (facts.clusterDomain().isEmpty()) {
            missing.add("ConfigMap " + Names.SHOOT_INFO_NAMESPACE + "/" + Names.SHOOT_INFO_CONFIG_MAP
                    + " (key domain) does not exist; set spec.config.servers.businessDataTunnel.externalHost");
        }
        return facts.clusterDomain().map(Names::externalHost);
    }

    // An empty value is no value (allowed in shared mode only, where SpecValidator lets it pass).
    private static Optional<String> resolveFromKey(String specValue, Optional<String> fromKey) {
        if (ConnectivityProxySpec.isAutoProvision(specValue)) {
            return fromKey;
        }
        return specValue.isBlank() ? Optional.empty() : Optional.of(specValue);
    }

    /**
     * The spec without the replica counts: they reach no pod, and scaling must not roll the pods
     * that stay (each tunnel-service pod holds connector sessions).
     */
    private static ObjectNode podRelevant(ConnectivityProxySpec spec) {
        ObjectNode tree = CANONICAL.valueToTree(spec);
        if (tree.get("deployment") instanceof ObjectNode deployment) {
            deployment.remove(List.of("replicaCount", "autoscaling"));
        }
        return tree;
    }

    private static String digest(
            ConnectivityProxySpec spec,
            Optional<String> host,
            Optional<String> subaccount,
            Optional<String> subdomain,
            ProxyAuthorization authorization,
            String restartFingerprint) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(CANONICAL.writeValueAsBytes(podRelevant(spec)));
            for (String part : new String[] {
                host.orElse(""),
                subaccount.orElse(""),
                subdomain.orElse(""),
                String.join(",", authorization.issuers()),
                authorization.jwksUrl().orElse(""),
                restartFingerprint
            }) {
                sha.update((byte) 0);
                sha.update(part.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException("cannot compute the configuration digest", e);
        }
    }
}
