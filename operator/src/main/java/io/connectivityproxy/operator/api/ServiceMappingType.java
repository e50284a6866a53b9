package io.connectivityproxy.operator.api;

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
