package io.connectivityproxy.operator.config;

import java.time.Duration;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Operator configuration (prefix {@code connectivity-proxy.operator}); env vars use the upper-case form. */
@ConfigMapping(prefix = "connectivity-proxy.operator")
public interface OperatorConfig {

    /** Image of proxy-service (HTTP, RFC+LDAP and SOCKS5 proxy listeners). */
    @WithDefault("ghcr.io/connectivity-proxy/proxy-service:${quarkus.application.version}")
    String proxyImage();

    /** Image of tunnel-service (the connectors' WebSocket tunnel endpoint). */
    @WithDefault("ghcr.io/connectivity-proxy/tunnel-service:${quarkus.application.version}")
    String tunnelImage();

    /** Pull policy of both images. */
    @WithDefault("IfNotPresent")
    String imagePullPolicy();

    /** Namespace of the Istio ingress gateway; the gateway's TLS secret must live there. */
    @WithDefault("istio-system")
    String ingressNamespace();

    /**
     * Labels selecting the Istio ingress gateway pods: the tunnel Gateway's selector, and the only
     * pods the NetworkPolicy lets reach the tunnel port. The default entry {@code istio=ingressgateway}
     * is in application.properties: {@code @WithDefault} on a Map is the value of every absent key,
     * not an entry, and left the selector empty.
     */
    Map<String, String> ingressGatewaySelector();

    /** How long the generated CAs are valid. */
    @WithDefault("3650d")
    Duration caValidity();

    /** How long the generated gateway server certificate is valid. */
    @WithDefault("365d")
    Duration serverCertificateValidity();

    /** How soon a resource that is not Ready (waiting for pods, a secret, a missing module) is looked at again. */
    @WithDefault("30s")
    Duration retryInterval();
}
