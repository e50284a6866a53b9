package io.connectivityproxy.protocol;

/**
 * One tunnel frame. Session frames travel on stream 0; stream frames name a stream id other
 * than 0. The wire layout of each is in {@code docs/tunnel-protocol.md}; {@link FrameCodec}
 * is the only place that reads or writes it.
 */
public sealed interface Frame {

    /** The stream this frame belongs to; 0 for session frames. */
    int streamId();

    /** First frame of a session, connector to tunnel-service. */
    record Hello(int version, String connectorId, String locationId) implements Frame {
        @Override
        public int streamId() {
            return 0;
        }
    }

    /** tunnel-service accepts the session. */
    record HelloOk(int version, String sessionId, int maxStreams) implements Frame {
        @Override
        public int streamId() {
            return 0;
        }
    }

    /**
     * Opens a stream to a virtual host and port. {@code head} is an encoded {@link HttpHead.Request}
     * for HTTP mappings and empty otherwise. {@code window} is the credit the opener grants for
     * data flowing back to it. {@code principals} (protocol version 3, flag PRINCIPALS) are the
     * tokens of the user to propagate; {@link PrincipalTokens#NONE} otherwise.
     */
    record Open(
            int streamId,
            TargetProtocol protocol,
            String host,
            int port,
            int window,
            byte[] head,
            PrincipalTokens principals)
            implements Frame {

        public Open {
            if (principals == null) {
                throw new IllegalArgumentException("use PrincipalTokens.NONE, not null");
            }
        }

        /** An OPEN without principals (the layout of versions 1 and 2). */
        public Open(int streamId, TargetProtocol protocol, String host, int port, int window, byte[] head) {
            this(streamId, protocol, host, port, window, head, PrincipalTokens.NONE);
        }
    }

    /**
     * Protocol version 2: the connector opens a service-channel stream (on-premise client to a
     * cluster service) on an even stream id. {@code serviceId} and {@code protocol} name the
     * ServiceMapping; tunnel-service alone decides where that leads. {@code window} is the credit
     * the connector grants for data flowing back to it.
     */
    record ChannelOpen(int streamId, TargetProtocol protocol, String serviceId, int window) implements Frame {}

    /** The stream is open; {@code window} is the credit granted to the opener. */
    record OpenOk(int streamId, int window) implements Frame {}

    /** The stream could not be opened; the stream id is free again. */
    record OpenFail(int streamId, Reason reason, String message) implements Frame {}

    /** Stream bytes; counts against the receiver's credit. */
    record Data(int streamId, byte[] payload) implements Frame {}

    /** Gives the peer {@code increment} more bytes of credit on the stream. */
    record WindowUpdate(int streamId, int increment) implements Frame {}

    /** The sender will send no more data on the stream (half-close). */
    record Fin(int streamId) implements Frame {}

    /** The stream is aborted in both directions. */
    record Rst(int streamId, Reason reason, String message) implements Frame {}

    record Ping(long opaque) implements Frame {
        @Override
        public int streamId() {
            return 0;
        }
    }

    record Pong(long opaque) implements Frame {
        @Override
        public int streamId() {
            return 0;
        }
    }

    /**
     * Protocol version 4, tunnel-service to connector: the tunnel-service replicas of the cluster
     * and the URL at which each one is reached, so that the connector can hold a session to every
     * replica. {@code self} is the replica that sent the frame (the one this session is on); it
     * need not be in {@code replicas} (a replica without a URL of its own is not announced). Sent
     * after HELLO_OK and again whenever the list changes; each frame replaces the last.
     */
    record Replicas(String self, java.util.List<Replica> replicas) implements Frame {

        public Replicas {
            replicas = java.util.List.copyOf(replicas);
        }

        @Override
        public int streamId() {
            return 0;
        }
    }

    /** One tunnel-service replica of a {@link Replicas} frame: its id and the URL connectors dial. */
    record Replica(String id, String url) {}

    /** The sender is closing the session; no new streams, existing ones may finish. */
    record GoAway(Reason reason, String message) implements Frame {
        @Override
        public int streamId() {
            return 0;
        }
    }
}
