package io.connectivityproxy.protocol.http;

import java.util.List;
import java.util.Map;

/** A response head as read from an HTTP/1.x connection (strings as in {@link Http1Request}). */
public record Http1Response(int minorVersion, int status, String reason, List<Map.Entry<String, String>> fields) {

    public Http1Response {
        fields = List.copyOf(fields);
    }

    /** 1xx other than 101: an interim response; the final one follows on the same exchange. */
    public boolean interim() {
        return status >= 100 && status < 200 && status != 101;
    }

    public String field(String name) {
        return Fields.first(fields, name);
    }
}
