package io.connectivityproxy.operator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.connectivityproxy.operator.api.ProxyConfig;
import io.connectivityproxy.operator.api.ProxyServer;
import io.connectivityproxy.operator.api.ProxyServers;
import io.connectivityproxy.operator.api.TenantMode;

/**
 * How proxy-service judges tokens (SAP's four modes: proxy authorization on/off per port ×
 * tenant mode): which ports require one, the client id it must carry, and whose tokens are
 * accepted. The issuers come from the resource when it names them, else from the service key's
 * XSUAA tenant. Pure.
 *
 * @param requiredOn the enabled listeners ({@code http}, {@code rfcAndLdap}, {@code socks5}) whose clients must present a token
 * @param sharedTenantMode the subaccount comes from each request's token
 * @param allowedClientId {@code client_id} a token must carry, if configured
 * @param issuers accepted token issuers ({@code iss}), empty when unknown
 * @param jwksUrl where their signing keys are, when known; otherwise proxy-service derives it per issuer
 * @param source where the issuers come from
 */
public record ProxyAuthorization(
        List<String> requiredOn,
        boolean sharedTenantMode,
        Optional<String> allowedClientId,
        List<String> issuers,
        Optional<String> jwksUrl,
        IssuerSource source) {

    /** Where the accepted issuers were found. */
    public enum IssuerSource {
        /** {@code spec.config.servers.proxy.authorization.oauth.issuers}. */
        SPEC,
        /** The service key's XSUAA {@code url}. */
        SERVICE_KEY,
        /** Nowhere (yet). */
        NONE
    }

    public static ProxyAuthorization of(ProxyConfig config, Optional<ServiceKey> key) {
        ProxyServers proxy =
                config.getServers() == null ? null : config.getServers().getProxy();
        List<String> requiredOn = new ArrayList<>();
        if (proxy != null) {
            requireIfEnabled(requiredOn, "http", proxy.getHttp());
            requireIfEnabled(requiredOn, "rfcAndLdap", proxy.getRfcAndLdap());
            requireIfEnabled(requiredOn, "socks5", proxy.getSocks5());
        }
        ProxyServers.OAuth oauth = proxy == null || proxy.getAuthorization() == null
                ? null
                : proxy.getAuthorization().getOauth();
        Optional<String> clientId = oauth == null ? Optional.empty() : nonBlank(oauth.getAllowedClientId());
        List<String> given = new ArrayList<>();
        if (oauth != null && oauth.getIssuers() != null) {
            oauth.getIssuers().stream()
                    .flatMap(i -> nonBlank(i).stream())
                    .distinct()
                    .forEach(given::add);
        }
        Optional<String> givenJwks = oauth == null ? Optional.empty() : nonBlank(oauth.getJwksUrl());
        boolean shared = TenantMode.fromValue(config.getTenantMode()) == TenantMode.SHARED;
        if (!given.isEmpty()) {
            // Named issuers may be other XSUAA tenants than the key's: their keys are found per issuer unless given.
            return new ProxyAuthorization(
                    List.copyOf(requiredOn), shared, clientId, List.copyOf(given), givenJwks, IssuerSource.SPEC);
        }
        Optional<String> issuer = key.flatMap(ServiceKey::tokenIssuer);
        if (issuer.isPresent()) {
            return new ProxyAuthorization(
                    List.copyOf(requiredOn),
                    shared,
                    clientId,
                    List.of(issuer.get()),
                    givenJwks.or(() -> key.flatMap(ServiceKey::jwksUrl)),
                    IssuerSource.SERVICE_KEY);
        }
        return new ProxyAuthorization(
                List.copyOf(requiredOn), shared, clientId, List.of(), givenJwks, IssuerSource.NONE);
    }

    /** Some port requires a token. */
    public boolean enabled() {
        return !requiredOn.isEmpty();
    }

    /**
     * proxy-service looks at tokens at all: to authorize (any port with authorization on) or, in
     * shared mode, to learn the subaccount. Only then does it get the token settings.
     */
    public boolean tokensInspected() {
        return enabled() || sharedTenantMode;
    }

    // A disabled listener requires nothing, whatever its flag says (SpecValidator still applies SAP's rule to it).
    private static void requireIfEnabled(List<String> requiredOn, String name, ProxyServer server) {
        if (server != null && server.isEnabled() && server.isEnableProxyAuthorization()) {
            requiredOn.add(name);
        }
    }

    private static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
