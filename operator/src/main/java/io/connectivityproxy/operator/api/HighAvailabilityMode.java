package io.connectivityproxy.operator.api;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * SAP's routing modes for several tunnel replicas. Accepted for compatibility: this implementation
 * registers sessions cluster-wide, so any replica count works whatever the mode.
 */
public enum HighAvailabilityMode {
    OFF("off"),
    PATH("path"),
    SUBDOMAIN("subdomain");

    private final String value;

    HighAvailabilityMode(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    /** The mode spelled {@code value}, or null when the value is not one of the modes. */
    public static HighAvailabilityMode fromValue(String value) {
        for (HighAvailabilityMode mode : values()) {
            if (mode.value.equals(value)) {
                return mode;
            }
        }
        return null;
    }
}
