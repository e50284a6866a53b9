package io.connectivityproxy.operator.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.connectivityproxy.operator.api.Autoscaling;
import io.connectivityproxy.operator.api.BusinessDataTunnel;
import io.connectivityproxy.operator.api.ConnectivityProxySpec;
import io.connectivityproxy.operator.api.DeploymentConfig;
import io.connectivityproxy.operator.api.HighAvailabilityMode;
import io.connectivityproxy.operator.api.IngressClass;
import io.connectivityproxy.operator.api.IngressConfig;
import io.connectivityproxy.operator.api.LogFormat;
import io.connectivityproxy.operator.api.ProxyConfig;
import io.connectivityproxy.operator.api.ProxyServer;
import io.connectivityproxy.operator.api.ProxyServers;
import io.connectivityproxy.operator.api.TenantMode;

/**
 * The CRD schema's rules, checked again on the Java side: a resource can reach the operator
 * without the schema (an old CRD, a cluster without validation, a test), and must then end in
 * Error naming the field instead of a half-built installation. Also checks what a schema cannot:
 * two listeners on one port, and SAP's admission rules (with SAP's messages) on proxy
 * authorization and the dedicated mode's subaccount.
 */
public final class SpecValidator {

    private static final Pattern IDENTIFIER = Pattern.compile(ProxyConfig.IDENTIFIER_PATTERN);
    private static final Pattern HOST = Pattern.compile(BusinessDataTunnel.HOST_PATTERN);
    /** The CRD schema's bound of replicaCount and maxReplicaCount. */
    private static final int MAX_REPLICAS = 100;

    /** SAP's admission messages, word for word, so that users and their tooling recognise them. */
    public static final String ALLOWED_CLIENT_ID_REQUIRED =
            "Allowed client id is required if proxy authorization is enabled";

    public static final String SUBACCOUNT_REQUIRED = "SubaccountId is required if tenant mode is dedicated";

    private SpecValidator() {}

    /** One line per violation, each starting with the field's path; empty when the spec is valid. */
    public static List<String> validate(ConnectivityProxySpec spec) {
        List<String> violations = new ArrayList<>();
        if (spec == null) {
            violations.add("spec: must be set");
            return violations;
        }
        ProxyConfig config = spec.getConfig();
        if (config == null) {
            violations.add("spec.config: must be set");
        } else {
            validateConfig(config, violations);
        }
        if (spec.getDeployment() == null) {
            violations.add("spec.deployment: must be set");
        } else if (spec.getDeployment().getReplicaCount() < 1) {
            violations.add("spec.deployment.replicaCount: must be at least 1, was "
                    + spec.getDeployment().getReplicaCount());
        } else {
            validateScaling(spec.getDeployment(), violations);
        }
        validateIngress(spec.getIngress(), violations);
        if (spec.getSecretConfig() == null
                || spec.getSecretConfig().getIntegration() == null
                || spec.getSecretConfig().getIntegration().getConnectivityService() == null) {
            violations.add("spec.secretConfig.integration.connectivityService: must be set");
        }
        return violations;
    }

    /** replicaCount's upper bound and {@code spec.deployment.autoscaling} (docs/operator.md, High availability). */
    private static void validateScaling(DeploymentConfig deployment, List<String> violations) {
        int replicas = deployment.getReplicaCount();
        if (replicas > MAX_REPLICAS) {
            violations.add("spec.deployment.replicaCount: must be at most " + MAX_REPLICAS + ", was " + replicas);
        }
        String prefix = "spec.deployment.autoscaling.horizontal";
        if (deployment.getAutoscaling() == null || deployment.getAutoscaling().getHorizontal() == null) {
            violations.add(prefix + ": must be set");
            return;
        }
        Autoscaling.Horizontal horizontal = deployment.getAutoscaling().getHorizontal();
        int max = horizontal.getMaxReplicaCount();
        if (max < 1 || max > MAX_REPLICAS) {
            violations.add(prefix + ".maxReplicaCount: must be between 1 and " + MAX_REPLICAS + ", was " + max);
        } else if (horizontal.isEnabled() && max < replicas) {
            violations.add(prefix + ".maxReplicaCount: must be at least spec.deployment.replicaCount (" + replicas
                    + "), was " + max);
        }
        Autoscaling.Metrics metrics = horizontal.getMetrics();
        if (metrics == null) {
            violations.add(prefix + ".metrics: must be set");
            return;
        }
        utilization(prefix + ".metrics.cpuAverageUtilization", metrics.getCpuAverageUtilization(), violations);
        utilization(prefix + ".metrics.memoryAverageUtilization", metrics.getMemoryAverageUtilization(), violations);
    }

    private static void utilization(String field, Integer percent, List<String> violations) {
        if (percent != null && (percent < 1 || percent > 100)) {
            violations.add(field + ": must be between 1 and 100 (percent), was " + percent);
        }
    }

    private static void validateConfig(ProxyConfig config, List<String> violations) {
        TenantMode mode = TenantMode.fromValue(config.getTenantMode());
        validateSubaccount(config.getSubaccountId(), mode, violations);
        identifier("spec.config.subaccountSubdomain", config.getSubaccountSubdomain(), violations);
        if (mode == null) {
            violations.add(
                    "spec.config.tenantMode: must be one of dedicated, shared, was '" + config.getTenantMode() + "'");
        }
        if (HighAvailabilityMode.fromValue(config.getHighAvailabilityMode()) == null) {
            violations.add("spec.config.highAvailabilityMode: must be one of off, path, subdomain, was '"
                    + config.getHighAvailabilityMode() + "'");
        }
        if (config.getLogging() == null
                || LogFormat.fromValue(config.getLogging().getFormat()) == null) {
            violations.add("spec.config.logging.format: must be one of console, json, was '"
                    + (config.getLogging() == null ? null : config.getLogging().getFormat()) + "'");
        }
        if (config.getServers() == null
                || config.getServers().getBusinessDataTunnel() == null
                || config.getServers().getProxy() == null) {
            violations.add("spec.config.servers: must set businessDataTunnel and proxy");
            return;
        }
        BusinessDataTunnel tunnel = config.getServers().getBusinessDataTunnel();
        String host = tunnel.getExternalHost();
        if (host == null
                || !(ConnectivityProxySpec.AUTO_PROVISION.equals(host)
                        || HOST.matcher(host).matches())) {
            violations.add(
                    "spec.config.servers.businessDataTunnel.externalHost: must be a DNS name or auto-provision, was '"
                            + host + "'");
        }
        port("spec.config.servers.businessDataTunnel.externalPort", tunnel.getExternalPort(), violations);
        validateListeners(config.getServers().getProxy(), violations);
        validateAuthorization(config.getServers().getProxy(), violations);
    }

    /**
     * SAP's admission rule, with SAP's message: dedicated mode needs a subaccount, given or
     * {@code auto-provision} (then read from the service key; a key without one is reported by
     * the ServiceBindingReady condition). Shared mode may leave it empty.
     */
    private static void validateSubaccount(String subaccountId, TenantMode mode, List<String> violations) {
        boolean absent = subaccountId == null || subaccountId.isBlank();
        if (absent && mode == TenantMode.DEDICATED) {
            violations.add("spec.config.subaccountId: " + SUBACCOUNT_REQUIRED);
        } else if (!absent) {
            identifier("spec.config.subaccountId", subaccountId, violations);
        }
    }

    /**
     * SAP's admission rules for proxy authorization, with SAP's messages: once any listener has
     * {@code enableProxyAuthorization}, the client id tokens must carry is required. The issuer
     * settings (this project's extension) must be https URLs, since keys are fetched from them.
     */
    private static void validateAuthorization(ProxyServers proxy, List<String> violations) {
        String path = "spec.config.servers.proxy.authorization";
        boolean enabled = Stream.of(proxy.getHttp(), proxy.getRfcAndLdap(), proxy.getSocks5())
                .anyMatch(server -> server != null && server.isEnableProxyAuthorization());
        ProxyServers.Authorization authorization = proxy.getAuthorization();
        ProxyServers.OAuth oauth = authorization == null ? null : authorization.getOauth();
        if (enabled) {
            if (authorization == null) {
                violations.add(path + ": Authorization is required if proxy authorization is enabled");
                return;
            }
            if (oauth == null) {
                violations.add(path + ".oauth: Oauth is required if proxy authorization is enabled");
                return;
            }
            if (oauth.getAllowedClientId() == null || oauth.getAllowedClientId().isBlank()) {
                violations.add(path + ".oauth.allowedClientId: " + ALLOWED_CLIENT_ID_REQUIRED);
            }
        }
        if (oauth == null) {
            return;
        }
        List<String> issuers = oauth.getIssuers() == null ? List.of() : oauth.getIssuers();
        for (int i = 0; i < issuers.size(); i++) {
            httpsUrl(path + ".oauth.issuers[" + i + "]", issuers.get(i), violations);
        }
        if (oauth.getJwksUrl() != null && !oauth.getJwksUrl().isBlank()) {
            httpsUrl(path + ".oauth.jwksUrl", oauth.getJwksUrl(), violations);
        }
    }

    private static void httpsUrl(String path, String value, List<String> violations) {
        try {
            URI uri = value == null ? null : new URI(value.trim());
            if (uri != null
                    && "https".equals(uri.getScheme())
                    && uri.getHost() != null
                    && uri.getRawQuery() == null
                    && uri.getRawFragment() == null
                    && uri.getRawUserInfo() == null) {
                return;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        violations.add(path + ": must be an https URL without query, fragment or user info, was '" + value + "'");
    }

    private static void validateListeners(ProxyServers proxy, List<String> violations) {
        Map<String, ProxyServer> listeners = new LinkedHashMap<>();
        listeners.put("http", proxy.getHttp());
        listeners.put("rfcAndLdap", proxy.getRfcAndLdap());
        listeners.put("socks5", proxy.getSocks5());
        if (listeners.values().stream().noneMatch(l -> l != null && l.isEnabled())) {
            violations.add("spec.config.servers.proxy: at least one of http, rfcAndLdap, socks5 must be enabled");
        }
        Map<Integer, String> usedPorts = new LinkedHashMap<>();
        listeners.forEach((name, listener) -> {
            String path = "spec.config.servers.proxy." + name;
            if (listener == null) {
                violations.add(path + ": must be set");
                return;
            }
            if (port(path + ".port", listener.getPort(), violations) && listener.isEnabled()) {
                String other = usedPorts.putIfAbsent(listener.getPort(), name);
                if (other != null) {
                    violations.add(path + ".port: " + listener.getPort() + " is already used by " + other);
                }
            }
        });
    }

    private static void validateIngress(IngressConfig ingress, List<String> violations) {
        if (ingress == null) {
            violations.add("spec.ingress: must be set");
            return;
        }
        if (!IngressClass.ISTIO.value().equals(ingress.getClassName())) {
            violations.add("spec.ingress.className: must be istio, was '" + ingress.getClassName() + "'");
        }
        if (ingress.getTls() == null
                || ingress.getTls().getSecretName() == null
                || ingress.getTls().getSecretName().isBlank()) {
            violations.add("spec.ingress.tls.secretName: must be a Secret name or auto-provision");
        }
        if (ingress.getTimeouts() != null && ingress.getTimeouts().getProxy() != null) {
            IngressConfig.ProxyTimeouts timeouts = ingress.getTimeouts().getProxy();
            positive("spec.ingress.timeouts.proxy.connect", timeouts.getConnect(), violations);
            positive("spec.ingress.timeouts.proxy.read", timeouts.getRead(), violations);
            positive("spec.ingress.timeouts.proxy.send", timeouts.getSend(), violations);
        }
    }

    private static void identifier(String path, String value, List<String> violations) {
        if (value == null || !IDENTIFIER.matcher(value).matches()) {
            violations.add(path + ": must match " + ProxyConfig.IDENTIFIER_PATTERN + " or be auto-provision, was '"
                    + value + "'");
        }
    }

    private static boolean port(String path, int port, List<String> violations) {
        if (port < 1 || port > 65535) {
            violations.add(path + ": must be between 1 and 65535, was " + port);
            return false;
        }
        return true;
    }

    private static void positive(String path, int seconds, List<String> violations) {
        if (seconds < 1) {
            violations.add(path + ": must be at least 1 second, was " + seconds);
        }
    }
}
