package io.connectivityproxy.operator.api;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** The protocol a service channel carries. */
public enum ServiceMappingType {
    TCP("TCP"),
    RFC("RFC");

    private final String value;

    ServiceMappingType(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    /** The scheme of the mapping's endpoint: {@code tcp} or {@code rfc}. */
    public String scheme() {
        return value.toLowerCase(Locale.ROOT);
    }

    /** The type spelled {@code value}, or null when the value is not one of the types. */
    public static ServiceMappingType fromValue(String value) {
        for (ServiceMappingType type : values()) {
            if (type.value.equals(value)) {
                return type;
            }
        }
        return null;
    }
}
