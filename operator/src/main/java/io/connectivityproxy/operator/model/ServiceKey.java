package io.connectivityproxy.operator.model;

import java.util.Map;
import java.util.Optional;

/**
 * The values the operator takes from the BTP connectivity service key (the ServiceBinding's
 * Secret, decoded). btp-operator writes each credential property as one key.
 *
 * @param subaccountId the subaccount the key belongs to
 * @param subaccountSubdomain its subdomain
 * @param uaaUrl the XSUAA tenant's URL ({@code url}, e.g. {@code https://<subdomain>.authentication.<region>.hana.ondemand.com})
 * @param uaaDomain the XSUAA domain ({@code uaadomain}, e.g. {@code authentication.<region>.hana.ondemand.com})
 */
public record ServiceKey(
        Optional<String> subaccountId,
        Optional<String> subaccountSubdomain,
        Optional<String> uaaUrl,
        Optional<String> uaaDomain) {

    /** Keys that carry the subaccount id, the first present wins. */
    static final String[] SUBACCOUNT_ID_KEYS = {"subaccount_id", "tenantid"};
    /** Keys that carry the subaccount subdomain, the first present wins. */
    static final String[] SUBACCOUNT_SUBDOMAIN_KEYS = {"subaccount_subdomain", "identityzone"};

    static final String[] UAA_URL_KEYS = {"url"};
    static final String[] UAA_DOMAIN_KEYS = {"uaadomain"};

    public ServiceKey(Optional<String> subaccountId, Optional<String> subaccountSubdomain) {
        this(subaccountId, subaccountSubdomain, Optional.empty(), Optional.empty());
    }

    public static ServiceKey fromSecretData(Map<String, String> data) {
        return new ServiceKey(
                first(data, SUBACCOUNT_ID_KEYS),
                first(data, SUBACCOUNT_SUBDOMAIN_KEYS),
                first(data, UAA_URL_KEYS),
                first(data, UAA_DOMAIN_KEYS));
    }

    /**
     * The XSUAA tenant that issues this subaccount's tokens, as an https URL without a trailing
     * slash: {@code url}, else {@code https://<subdomain>.<uaadomain>}. Empty when neither is there
     * or {@code url} is not https (its keys could not be fetched safely).
     */
    public Optional<String> tokenServiceUrl() {
        if (uaaUrl.isPresent()) {
            String url = uaaUrl.get();
            while (url.endsWith("/")) {
                url = url.substring(0, url.length() - 1);
            }
            return url.startsWith("https://") && url.length() > "https://".length()
                    ? Optional.of(url)
                    : Optional.empty();
        }
        if (uaaDomain.isPresent() && subaccountSubdomain.isPresent()) {
            return Optional.of("https://" + subaccountSubdomain.get() + "." + uaaDomain.get());
        }
        return Optional.empty();
    }

    /** The {@code iss} of XSUAA tokens of this tenant: {@code <url>/oauth/token}. */
    public Optional<String> tokenIssuer() {
        return tokenServiceUrl().map(url -> url + "/oauth/token");
    }

    /** Where this tenant publishes its signing keys: {@code <url>/token_keys}. */
    public Optional<String> jwksUrl() {
        return tokenServiceUrl().map(url -> url + "/token_keys");
    }

    private static Optional<String> first(Map<String, String> data, String[] keys) {
        for (String key : keys) {
            String value = data.get(key);
            if (value != null && !value.isBlank()) {
                return Optional.of(value.trim());
            }
        }
        return Optional.empty();
    }
}
