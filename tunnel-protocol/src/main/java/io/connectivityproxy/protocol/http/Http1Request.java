package io.connectivityproxy.protocol.http;

import java.util.List;
import java.util.Map;

/**
 * A request head as read from an HTTP/1.x connection. Strings hold the wire bytes one char per
 * byte (ISO-8859-1), so bytes outside ASCII pass through an intermediary unchanged.
 *
 * @param minorVersion 0 for HTTP/1.0, 1 for HTTP/1.1
 */
public record Http1Request(String method, String target, int minorVersion, List<Map.Entry<String, String>> fields) {

    public Http1Request {
        fields = List.copyOf(fields);
    }

    /** The value of the first field with that name (case-insensitive), or null. */
    public String field(String name) {
        return Fields.first(fields, name);
    }
}
