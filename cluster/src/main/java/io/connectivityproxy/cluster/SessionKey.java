package io.connectivityproxy.cluster;

import java.util.Optional;
import java.util.regex.Pattern;

import io.connectivityproxy.protocol.Ids;

/**
 * Which connector sessions a request may use: the subaccount and the location id (empty for
 * the default location), as SAP's {@code SAP-Connectivity-SCC-Location_ID} header names it.
 */
public record SessionKey(String subaccount, String locationId) {

    /** Allowed in subaccount and location ids; excludes the registry's separator. */
    public static final Pattern ID = Ids.ID;

    public SessionKey {
        if (subaccount.isEmpty() || !ID.matcher(subaccount).matches()) {
            throw new IllegalArgumentException("invalid subaccount id '" + subaccount + "'");
        }
        if (!ID.matcher(locationId).matches()) {
            throw new IllegalArgumentException(
                    "invalid location id '" + locationId + "': use letters, digits, '.', '_', '~' or '-', at most 128");
        }
    }

    /** True when both ids are well-formed. */
    public static boolean valid(String subaccount, String locationId) {
        return subaccount != null
                && locationId != null
                && !subaccount.isEmpty()
                && ID.matcher(subaccount).matches()
                && ID.matcher(locationId).matches();
    }

    /**
     * SAP's name of the tunnel of a subaccount, {@code account:///<subaccount>}: the {@code tunnel_id}
     * label of SAP's metrics and the {@code tunnelId} of its audit events. Locations share it.
     */
    public static String tunnelId(String subaccount) {
        return "account:///" + subaccount;
    }

    String registryKey() {
        return subaccount + "|" + locationId;
    }

    /** The key a registry entry is stored under; empty when it is malformed (any member can write there). */
    static Optional<SessionKey> fromRegistryKey(String key) {
        int bar = key.indexOf('|');
        if (bar < 0 || !valid(key.substring(0, bar), key.substring(bar + 1))) {
            return Optional.empty();
        }
        return Optional.of(new SessionKey(key.substring(0, bar), key.substring(bar + 1)));
    }

    @Override
    public String toString() {
        return subaccount + "/" + (locationId.isEmpty() ? "(default)" : locationId);
    }
}
