package io.connectivityproxy.operator.api;

import com.fasterxml.jackson.annotation.JsonValue;

/** The ingress controllers the tunnel endpoint can be exposed through. */
public enum IngressClass {
    ISTIO("istio");

    private final String value;

    IngressClass(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }
}
