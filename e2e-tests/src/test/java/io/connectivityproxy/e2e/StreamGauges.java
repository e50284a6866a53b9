package io.connectivityproxy.e2e;

import java.time.Duration;

/**
 * The open-stream gauges of the three hops a stream crosses: {@code cp_proxy_streams_open},
 * {@code cp_tunnel_streams_open} and {@code cp_connector_streams_open}. A test reads them before
 * a case and waits for them to come back afterwards: a stream left open anywhere is a leak.
 */
record StreamGauges(double proxy, double tunnel, double connector) {

    static final Duration SETTLE = Duration.ofSeconds(30);

    static StreamGauges read(LocalSystem.Node proxy, LocalSystem.Node tunnel, LocalSystem.Node connector) {
        return new StreamGauges(
                HttpProxyIT.metricValue(proxy.metrics(), "cp_proxy_streams_open"),
                HttpProxyIT.metricValue(tunnel.metrics(), "cp_tunnel_streams_open"),
                HttpProxyIT.metricValue(connector.metrics(), "cp_connector_streams_open"));
    }

    /** Waits until all three gauges read {@code expected} again; fails naming the ones that do not. */
    static void awaitBack(
            StreamGauges expected, LocalSystem.Node proxy, LocalSystem.Node tunnel, LocalSystem.Node connector) {
        awaitBack("", expected, proxy, tunnel, connector);
    }

    /** The same, naming the case {@code what} in the failure message. */
    static void awaitBack(
            String what,
            StreamGauges expected,
            LocalSystem.Node proxy,
            LocalSystem.Node tunnel,
            LocalSystem.Node connector) {
        StreamGauges[] last = new StreamGauges[1];
        try {
            proxy.process().await("the open-stream gauges are back at " + expected, SETTLE, () -> {
                last[0] = read(proxy, tunnel, connector);
                return last[0].equals(expected);
            });
        } catch (AssertionError e) {
            throw new AssertionError(
                    "streams left open" + (what.isEmpty() ? "" : " after " + what) + ": expected " + expected + ", got "
                            + last[0],
                    e);
        }
    }

    /** Waits until no stream is open on any of the three hops. */
    static void awaitNone(LocalSystem.Node proxy, LocalSystem.Node tunnel, LocalSystem.Node connector) {
        awaitBack(new StreamGauges(0, 0, 0), proxy, tunnel, connector);
    }
}
