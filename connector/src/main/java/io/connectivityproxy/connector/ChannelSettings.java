package io.connectivityproxy.connector;

import io.connectivityproxy.protocol.TargetProtocol;

/**
 * One checked service-channel entry of the connector's file: where it listens, and which
 * ServiceMapping (type and service id) its connections ask tunnel-service for.
 */
public record ChannelSettings(
        TargetProtocol type, String serviceId, String localHost, int localPort, int maxConnections, boolean enabled) {

    /** How the channel is named in logs, metrics and the admin view: {@code erp-events (TCP, 127.0.0.1:21080)}. */
    public String describe() {
        return serviceId + " (" + type + ", " + listenAddress() + ")";
    }

    public String listenAddress() {
        return (localHost.indexOf(':') >= 0 ? "[" + localHost + "]" : localHost) + ":" + localPort;
    }
}
