package io.connectivityproxy.tunnel;

/**
 * One stream relayed between a proxy-service node (event bus) and a connector session
 * (WebSocket). The two hops number the stream differently; the link translates. Mutable state
 * is confined to the session's context.
 */
final class Link {

    final String proxyAddress;
    final int proxyStreamId;
    final int sessionStreamId;
    final ConnectorSession session;
    boolean finFromProxy;
    boolean finFromConnector;

    Link(String proxyAddress, int proxyStreamId, int sessionStreamId, ConnectorSession session) {
        this.proxyAddress = proxyAddress;
        this.proxyStreamId = proxyStreamId;
        this.sessionStreamId = sessionStreamId;
        this.session = session;
    }

    /** Key of the link as seen from the event bus: the proxy node's address and its stream id. */
    String busKey() {
        return busKey(proxyAddress, proxyStreamId);
    }

    static String busKey(String proxyAddress, int proxyStreamId) {
        return proxyAddress + "#" + proxyStreamId;
    }
}
