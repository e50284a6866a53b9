package io.connectivityproxy.operator.api;

import com.fasterxml.jackson.annotation.JsonValue;

/** How the workloads write their logs: readable text, or one JSON object per line for a log pipeline. */
public enum LogFormat {
    CONSOLE("console"),
    JSON("json");

    private final String value;

    LogFormat(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    /** The format spelled {@code value}, or null when the value is not one of the formats. */
    public static LogFormat fromValue(String value) {
        for (LogFormat format : values()) {
            if (format.value.equals(value)) {
                return format;
            }
        }
        return null;
    }
}
