package io.connectivityproxy.proxy;

/**
 * The target of a forward-proxy request, from its absolute-form request-target
 * (RFC 9112 section 3.2.2): virtual host, port (80 when absent) and the origin-form path and
 * query the backend receives. Pure.
 */
record RequestTarget(String host, int port, String originForm) {

    /** A request-target this proxy cannot serve; {@link #status} is the HTTP answer. */
    static final class Rejected extends Exception {
        final int status;

        Rejected(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    static RequestTarget parse(String requestTarget) throws Rejected {
        String lower =
                requestTarget.length() >= 8 ? requestTarget.substring(0, 8).toLowerCase() : "";
        if (lower.startsWith("https://")) {
            throw new Rejected(
                    405,
                    "https:// request targets are not supported: send http:// to the proxy; "
                            + "the connector's mapping decides whether the backend is reached over TLS");
        }
        if (!lower.startsWith("http://")) {
            throw new Rejected(
                    400,
                    "this is a forward proxy: the request target must be an absolute " + "http:// URI, got '"
                            + abbreviate(requestTarget) + "'");
        }
        for (int i = 0; i < requestTarget.length(); i++) {
            char c = requestTarget.charAt(i);
            // The origin-form goes verbatim into the backend's request line, where these would split it.
            if (c <= ' ' || c == 0x7f) {
                throw new Rejected(400, "the request target contains a control character or whitespace");
            }
        }
        String rest = requestTarget.substring(7);
        if (rest.indexOf('#') >= 0) {
            throw new Rejected(400, "a request target must not carry a fragment (#)");
        }
        int authorityEnd = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '/' || c == '?') {
                authorityEnd = i;
                break;
            }
        }
        String authority = rest.substring(0, authorityEnd);
        if (authority.indexOf('@') >= 0) {
            throw new Rejected(400, "user info in the request target is not allowed");
        }
        String host;
        String portText = "";
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new Rejected(400, "malformed request target: unclosed IPv6 literal");
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw new Rejected(400, "malformed request target: text after the IPv6 literal");
            }
            portText = after.isEmpty() ? "" : after.substring(1);
        } else {
            // A reg-name has no colon (RFC 3986 section 3.2.2): the first one starts the port.
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? "" : authority.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new Rejected(400, "the request target has no host");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-._~%!$&'()*+,;=:".indexOf(c) >= 0;
            if (!allowed) {
                throw new Rejected(
                        400, "malformed request target: the host contains '" + (c < ' ' || c > '~' ? '?' : c) + "'");
            }
        }
        int port = 80;
        if (!portText.isEmpty()) {
            if (portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new Rejected(400, "malformed request target: port '" + abbreviate(portText) + "'");
            }
            port = Integer.parseInt(portText);
        }
        if (port < 1 || port > 65535) {
            throw new Rejected(400, "port " + port + " is out of range");
        }
        String originForm = rest.substring(authorityEnd);
        int pathEnd = originForm.indexOf('?') < 0 ? originForm.length() : originForm.indexOf('?');
        for (int i = 0; i < originForm.length(); i++) {
            char c = originForm.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new Rejected(400, "malformed request target: whitespace or a control character in the path");
            }
            // A '%' in the path not followed by two hex digits could be decoded differently by the
            // backend than by the connector's path check (RFC 3986 section 2.1); the query is the
            // backend's alone.
            if (c == '%'
                    && i < pathEnd
                    && (i + 2 >= pathEnd || !isHex(originForm.charAt(i + 1)) || !isHex(originForm.charAt(i + 2)))) {
                throw new Rejected(400, "malformed request target: '%' must start a percent-encoded octet");
            }
        }
        if (originForm.isEmpty() || originForm.startsWith("?")) {
            originForm = "/" + originForm;
        }
        return new RequestTarget(host, port, originForm);
    }

    String path() {
        int query = originForm.indexOf('?');
        return query < 0 ? originForm : originForm.substring(0, query);
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static String abbreviate(String value) {
        return value.length() > 80 ? value.substring(0, 80) + "..." : value;
    }
}
