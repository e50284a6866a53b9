package io.connectivityproxy.proxy;

import java.net.URI;
import java.net.URISyntaxException;

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
        String lower = requestTarget.length() >= 8 ? requestTarget.substring(0, 8).toLowerCase() : "";
        if (lower.startsWith("https://")) {
            throw new Rejected(405, "https:// request targets are not supported: send http:// to the proxy; "
                    + "the connector's mapping decides whether the backend is reached over TLS");
        }
        if (!lower.startsWith("http://")) {
            throw new Rejected(400, "this is a forward proxy: the request target must be an absolute "
                    + "http:// URI, got '" + abbreviate(requestTarget) + "'");
        }
        URI uri;
        try {
            uri = new URI(requestTarget);
        } catch (URISyntaxException e) {
            throw new Rejected(400, "malformed request target: " + e.getReason());
        }
        if (uri.getRawUserInfo() != null) {
            throw new Rejected(400, "user info in the request target is not allowed");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new Rejected(400, "the request target has no host");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new Rejected(400, "port " + port + " is out of range");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String originForm = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new RequestTarget(host, port, originForm);
    }

    String path() {
        int query = originForm.indexOf('?');
        return query < 0 ? originForm : originForm.substring(0, query);
    }

    private static String abbreviate(String value) {
        return value.length() > 80 ? value.substring(0, 80) + "..." : value;
    }
}
