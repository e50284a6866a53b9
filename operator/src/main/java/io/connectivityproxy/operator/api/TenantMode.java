package io.connectivityproxy.operator.api;

import com.fasterxml.jackson.annotation.JsonValue;

/** Whether the installation serves one subaccount (dedicated) or many, chosen by token (shared). */
public enum TenantMode {
    DEDICATED("dedicated"),
    SHARED("shared");

    private final String value;

    TenantMode(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    /** The mode spelled {@code value}, or null when the value is not one of the modes. */
    public static TenantMode fromValue(String value) {
        for (TenantMode mode : values()) {
            if (mode.value.equals(value)) {
                return mode;
            }
        }
        return null;
    }
}
