package io.connectivityproxy.bench;

/**
 * How the client reaches the backend on one path.
 *
 * @param httpHost where HTTP requests are sent (the backend, the ssh forward, or the HTTP proxy)
 * @param httpPort its port
 * @param httpVirtual null: origin-form requests straight to httpHost:httpPort; else the
 *     {@code host:port} of absolute-form requests sent to the HTTP proxy at httpHost:httpPort
 * @param tcpHost where raw TCP streams connect (the echo backend, the ssh forward, or SOCKS5)
 * @param tcpPort its port
 * @param socksTargetHost null: plain TCP to tcpHost:tcpPort; else SOCKS5 CONNECT to this host
 * @param socksTargetPort the port of the SOCKS5 CONNECT
 */
record Route(
        String httpHost,
        int httpPort,
        String httpVirtual,
        String tcpHost,
        int tcpPort,
        String socksTargetHost,
        int socksTargetPort) {

    boolean httpProxied() {
        return httpVirtual != null;
    }

    boolean socks() {
        return socksTargetHost != null;
    }

    /** The request target and Host header for {@code path}. */
    String requestTarget(String path) {
        return httpProxied() ? "http://" + httpVirtual + path : path;
    }

    String hostHeader() {
        return httpProxied() ? httpVirtual : httpHost + ":" + httpPort;
    }

    String describe() {
        return "HTTP "
                + (httpProxied()
                        ? "via proxy " + httpHost + ":" + httpPort + " to " + httpVirtual
                        : "to " + httpHost + ":" + httpPort)
                + "; TCP "
                + (socks()
                        ? "via SOCKS5 " + tcpHost + ":" + tcpPort + " to " + socksTargetHost + ":" + socksTargetPort
                        : "to " + tcpHost + ":" + tcpPort);
    }
}
