package io.connectivityproxy.tunnel.channel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code spec.internalAddress} of a ServiceMapping: {@code host:port} with a DNS name, a
 * dotted IPv4 address or a bracketed IPv6 literal (RFC 3986 section 3.2.2) and a port 1..65535.
 * Pure: a name is checked for its form only, never resolved.
 *
 * @param host the host without brackets ({@code ::1} for {@code [::1]:22}), as a socket connect takes it
 */
record InternalAddress(String host, int port) {

    // RFC 1123 labels; the CRD's pattern also refuses a trailing dot and underscores.
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final String BRACKETS = "must be host:port with an IPv6 address in brackets, as [fd00::1]:22";

    /** The host and port, or an {@link IllegalArgumentException} whose message says what is wrong. */
    static InternalAddress parse(String text) {
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || !ipv6(text.substring(1, close))) {
                throw new IllegalArgumentException(BRACKETS);
            }
            if (close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("must be host:port; the port is missing");
            }
            return new InternalAddress(text.substring(1, close), port(text.substring(close + 2)));
        }
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("must be host:port; the port is missing");
        }
        String host = text.substring(0, colon);
        if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException(BRACKETS);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("must be host:port; the host is missing");
        }
        if (DIGITS_AND_DOTS.matcher(host).matches()) {
            if (!ipv4(host)) {
                throw new IllegalArgumentException(
                        "must be host:port; " + Untrusted.quoted(host) + " is not an IPv4 address");
            }
        } else if (!dnsName(host)) {
            throw new IllegalArgumentException("must be host:port with a DNS name, an IPv4 address or [IPv6] as host");
        }
        return new InternalAddress(host, port(text.substring(colon + 1)));
    }

    /** {@code host:port} again, with the brackets of an IPv6 literal. */
    String text() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static int port(String text) {
        if (text.isEmpty()
                || text.length() > 5
                || text.charAt(0) == '0'
                || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("must be host:port with a port between 1 and 65535");
        }
        int port = Integer.parseInt(text);
        if (port > 65535) {
            throw new IllegalArgumentException("must be host:port with a port between 1 and 65535");
        }
        return port;
    }

    private static boolean dnsName(String host) {
        if (host.length() > 253) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    static boolean ipv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            // Leading zeros read as octal in some resolvers: refuse them rather than guess.
            if (part.isEmpty()
                    || part.length() > 3
                    || (part.length() > 1 && part.charAt(0) == '0')
                    || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** An RFC 4291 section 2.2 text address without a zone: eight groups, {@code ::} once, IPv4 last. */
    static boolean ipv6(String literal) {
        int gap = literal.indexOf("::");
        if (gap >= 0 && literal.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        List<String> groups = new ArrayList<>();
        if (gap >= 0) {
            split(literal.substring(0, gap), groups);
            split(literal.substring(gap + 2), groups);
        } else {
            split(literal, groups);
        }
        // Only the very last group may be a dotted IPv4 address, and not when "::" ends the text.
        boolean endsWithGroup = gap < 0 || gap + 2 < literal.length();
        int count = 0;
        for (int i = 0; i < groups.size(); i++) {
            String group = groups.get(i);
            if (HEX_GROUP.matcher(group).matches()) {
                count++;
            } else if (endsWithGroup && i == groups.size() - 1 && ipv4(group)) {
                count += 2;
            } else {
                return false;
            }
        }
        return gap >= 0 ? count <= 7 : count == 8;
    }

    private static void split(String part, List<String> groups) {
        if (!part.isEmpty()) {
            groups.addAll(Arrays.asList(part.split(":", -1)));
        }
    }
}
