package io.connectivityproxy.tunnel.channel;

import java.util.Objects;

import io.connectivityproxy.protocol.Reason;

/** What a service channel open resolves to: the one mapping to connect to, or why not. */
public sealed interface Resolution {

    /** Connect to {@code mapping.internalHost():mapping.internalPort()}. */
    record Found(ServiceMappingEntry mapping) implements Resolution {
        public Found {
            Objects.requireNonNull(mapping, "mapping");
        }
    }

    /**
     * Refuse the open with {@code reason}. {@code message} is meant for the connector: under
     * {@value ServiceChannels#MAX_MESSAGE_BYTES} UTF-8 bytes, printable ASCII, and never naming an
     * internal address or another subaccount's mapping.
     */
    record Refused(Reason reason, String message) implements Resolution {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }
}
