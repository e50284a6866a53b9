package io.connectivityproxy.connector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rewrites the response headers of an HTTP backend that name its internal host so that they name
 * the virtual one, as SAP's Cloud Connector does: redirects and cookies then keep working through
 * the proxy. {@code Location} and {@code Content-Location} URIs pointing at the internal host:port
 * become {@code http://virtualHost:virtualPort} (the cloud side always speaks plain HTTP to the
 * virtual host), and a {@code Set-Cookie} {@code Domain} equal to the internal host becomes the
 * virtual host. Anything else, including every value it cannot parse, passes through unchanged.
 * Pure: no I/O.
 */
final class ResponseRewriter {

    private ResponseRewriter() {}

    /** The headers in the same order; entries that need no change are the same objects. */
    static List<Map.Entry<String, String>> rewrite(
            AccessControlList.Mapping mapping, List<Map.Entry<String, String>> headers) {
        List<Map.Entry<String, String>> out = new ArrayList<>(headers.size());
        for (Map.Entry<String, String> header : headers) {
            out.add(rewrite(mapping, header));
        }
        return out;
    }

    private static Map.Entry<String, String> rewrite(
            AccessControlList.Mapping mapping, Map.Entry<String, String> header) {
        if (header == null || header.getKey() == null || header.getValue() == null) {
            return header;
        }
        String name = header.getKey();
        String value = header.getValue();
        String rewritten = value;
        if (name.equalsIgnoreCase("Location") || name.equalsIgnoreCase("Content-Location")) {
            rewritten = uri(mapping, value);
        } else if (name.equalsIgnoreCase("Set-Cookie")) {
            rewritten = setCookie(mapping, value);
        }
        return rewritten.equals(value) ? header : Map.entry(name, rewritten);
    }

    /**
     * An absolute {@code http} or {@code https} URI (RFC 3986 section 3: scheme "://" authority,
     * then path, query and fragment) whose authority is the internal host:port gets the virtual
     * authority; the rest is kept byte for byte. Relative references are left alone.
     */
    private static String uri(AccessControlList.Mapping mapping, String value) {
        int start = 0;
        int end = value.length();
        // Header values may carry optional whitespace (RFC 9110 section 5.5); it is kept.
        while (start < end && isWhitespace(value.charAt(start))) {
            start++;
        }
        while (end > start && isWhitespace(value.charAt(end - 1))) {
            end--;
        }
        int defaultPort;
        int authorityStart;
        if (value.regionMatches(true, start, "http://", 0, 7)) {
            defaultPort = 80;
            authorityStart = start + 7;
        } else if (value.regionMatches(true, start, "https://", 0, 8)) {
            defaultPort = 443;
            authorityStart = start + 8;
        } else {
            return value;
        }
        int authorityEnd = authorityStart;
        while (authorityEnd < end && "/?#".indexOf(value.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        if (!isInternal(mapping, value.substring(authorityStart, authorityEnd), defaultPort)) {
            return value;
        }
        return value.substring(0, start) + "http://" + authority(mapping.virtualHost(), mapping.virtualPort())
                + value.substring(authorityEnd);
    }

    /** RFC 3986 section 3.2: [ userinfo "@" ] host [ ":" port ], an IPv6 host in brackets. */
    private static boolean isInternal(AccessControlList.Mapping mapping, String authority, int defaultPort) {
        // Userinfo is deprecated in http(s) URIs (RFC 9110 section 4.2.4) and often a phishing trick.
        if (authority.indexOf('@') >= 0) {
            return false;
        }
        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            // Only IPv6 (or IPvFuture) addresses go in brackets, and they have colons.
            if (close < 0 || authority.lastIndexOf(':', close) < 0) {
                return false;
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (after.isEmpty()) {
                port = "";
            } else if (after.charAt(0) == ':') {
                port = after.substring(1);
            } else {
                return false;
            }
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? "" : authority.substring(colon + 1);
        }
        if (host.isEmpty() || !host.equalsIgnoreCase(unbracketed(mapping.internalHost()))) {
            return false;
        }
        // An empty port means the scheme's default (RFC 3986 section 6.2.3).
        if (port.isEmpty()) {
            return defaultPort == mapping.internalPort();
        }
        if (!port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        String digits = port.replaceFirst("^0+(?=.)", "");
        return digits.length() <= 5 && Integer.parseInt(digits) == mapping.internalPort();
    }

    /**
     * Everything after the first ';' is attributes (RFC 6265 section 5.2), each a name and an
     * optional '=' value, both trimmed of spaces and tabs. A {@code Domain} equal to the internal
     * host, with or without a leading dot, gets the virtual host; all else is kept byte for byte.
     */
    private static String setCookie(AccessControlList.Mapping mapping, String value) {
        int semicolon = value.indexOf(';');
        if (semicolon < 0) {
            return value;
        }
        String internal = unbracketed(mapping.internalHost());
        String virtual = unbracketed(mapping.virtualHost());
        StringBuilder out = new StringBuilder(value.length()).append(value, 0, semicolon);
        while (semicolon >= 0) {
            int next = value.indexOf(';', semicolon + 1);
            String attribute = value.substring(semicolon + 1, next < 0 ? value.length() : next);
            out.append(';').append(domain(attribute, internal, virtual));
            semicolon = next;
        }
        return out.toString();
    }

    private static String domain(String attribute, String internal, String virtual) {
        int equals = attribute.indexOf('=');
        if (equals < 0 || !strip(attribute.substring(0, equals)).equalsIgnoreCase("Domain")) {
            return attribute;
        }
        int start = equals + 1;
        int end = attribute.length();
        while (start < end && isWhitespace(attribute.charAt(start))) {
            start++;
        }
        while (end > start && isWhitespace(attribute.charAt(end - 1))) {
            end--;
        }
        if (start < end && attribute.charAt(start) == '.') {
            start++;
        }
        if (!attribute.substring(start, end).equalsIgnoreCase(internal)) {
            return attribute;
        }
        return attribute.substring(0, start) + virtual + attribute.substring(end);
    }

    private static String authority(String host, int port) {
        boolean ipv6 = host.indexOf(':') >= 0 && !host.startsWith("[");
        return (ipv6 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String strip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    /** SP and HTAB: the optional whitespace of HTTP and the WSP of RFC 6265. */
    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }
}
