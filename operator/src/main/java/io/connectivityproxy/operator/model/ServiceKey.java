package io.connectivityproxy.operator.model;

import java.util.Map;
import java.util.Optional;

/**
 * The values the operator takes from the BTP connectivity service key (the ServiceBinding's
 * Secret, decoded). btp-operator writes each credential property as one key.
 */
public record ServiceKey(Optional<String> subaccountId, Optional<String> subaccountSubdomain) {

    /** Keys that carry the subaccount id, the first present wins. */
    static final String[] SUBACCOUNT_ID_KEYS = { "subaccount_id", "tenantid" };
    /** Keys that carry the subaccount subdomain, the first present wins. */
    static final String[] SUBACCOUNT_SUBDOMAIN_KEYS = { "subaccount_subdomain", "identityzone" };

    public static ServiceKey fromSecretData(Map<String, String> data) {
        return new ServiceKey(first(data, SUBACCOUNT_ID_KEYS), first(data, SUBACCOUNT_SUBDOMAIN_KEYS));
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
