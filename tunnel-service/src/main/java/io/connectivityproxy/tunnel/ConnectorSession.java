package io.connectivityproxy.tunnel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.connectivityproxy.cluster.SessionKey;
import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.stream.FrameBuffers;
import io.connectivityproxy.stream.StreamMultiplexer;
import io.connectivityproxy.stream.TunnelStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.impl.ContextInternal;

/**
 * One connector's WebSocket session: the handshake, liveness, the streams relayed over it to
 * proxy-service (odd ids, opened here), and the service-channel streams the connector opens
 * (even ids, protocol version 2), which end here at a cluster service (ChannelBridge).
 * Everything here runs on the WebSocket's context.
 */
final class ConnectorSession {

    private static final Logger LOG = Logger.getLogger(ConnectorSession.class);

    /** Lifecycle of a session. */
    enum State {
        /** WebSocket open, waiting for HELLO. */
        AWAITING_HELLO,
        /** Registered in the cluster; takes new streams. */
        ACTIVE,
        /** GOAWAY seen or sent: existing streams finish, no new ones. */
        DRAINING,
        /** Gone; every stream was reset. */
        CLOSED
    }

    final String id = UUID.randomUUID().toString();
    /** When the connector's WebSocket was accepted, for the status page. */
    final java.time.Instant since = java.time.Instant.now();

    final String subaccount;
    final String peer;
    private final ServerWebSocket ws;
    private final ContextInternal context;
    private final Vertx vertx;
    private final SessionBroker broker;
    private final TunnelSettings settings;
    private final ChannelBridge channelBridge;
    private final Map<Integer, Link> links = new HashMap<>();
    /** Service-channel streams: null until a version 2 handshake. */
    private StreamMultiplexer channels;

    private final Map<Integer, ChannelBridge.Stream> channelStreams = new ConcurrentHashMap<>();
    private int version;
    private State state = State.AWAITING_HELLO;
    private SessionKey key;
    private String connectorId = "";
    private int nextStreamId = 1;
    private long lastReceived;
    private long timer = -1;
    private volatile int streamCount;

    ConnectorSession(
            Vertx vertx,
            ServerWebSocket ws,
            String subaccount,
            String peer,
            SessionBroker broker,
            TunnelSettings settings,
            ChannelBridge channelBridge) {
        this.channelBridge = channelBridge;
        this.vertx = vertx;
        this.ws = ws;
        this.context = (ContextInternal) vertx.getOrCreateContext();
        this.subaccount = subaccount;
        this.peer = peer;
        this.broker = broker;
        this.settings = settings;
    }

    ContextInternal context() {
        return context;
    }

    SessionKey key() {
        return key;
    }

    String connectorId() {
        return connectorId;
    }

    State state() {
        return state;
    }

    int streamCount() {
        return streamCount;
    }

    /** The protocol version of the session; 0 before the handshake. */
    int version() {
        return version;
    }

    /** The service-channel streams carrying bytes now, for the admin endpoint. */
    Collection<ChannelBridge.Stream> channelStreams() {
        return List.copyOf(channelStreams.values());
    }

    /** Service-channel streams registered now (opening ones included). */
    int channelStreamCount() {
        StreamMultiplexer streams = channels;
        return streams == null ? 0 : streams.size();
    }

    void start() {
        lastReceived = System.nanoTime();
        ws.binaryMessageHandler(this::onMessage);
        ws.textMessageHandler(text -> protocolError("text messages are not part of the tunnel protocol"));
        ws.exceptionHandler(e -> LOG.debugf("session %s: %s", id, e.getMessage()));
        ws.closeHandler(v -> close("connection closed by peer"));
        timer = vertx.setPeriodic(settings.pingInterval().toMillis(), t -> tick());
    }

    private void tick() {
        long silentFor = System.nanoTime() - lastReceived;
        if (state == State.AWAITING_HELLO
                && silentFor > settings.handshakeTimeout().toNanos()) {
            AuditLog.rejected(peer, subaccount, null, "no HELLO within " + settings.handshakeTimeout());
            close("handshake timeout");
        } else if (silentFor > settings.idleTimeout().toNanos()) {
            close("no traffic for " + settings.idleTimeout() + " (ping timeout)");
        } else if (state == State.ACTIVE || state == State.DRAINING) {
            send(new Frame.Ping(System.nanoTime()));
        }
    }

    private void onMessage(Buffer message) {
        if (state == State.CLOSED) {
            return;
        }
        lastReceived = System.nanoTime();
        Frame frame;
        try {
            if (FrameBuffers.checkHeader(message) == FrameCodec.TYPE_DATA && state != State.AWAITING_HELLO) {
                // The bulk of the traffic: relayed as it came, only the stream id is rewritten.
                dataFromConnector(message);
                return;
            }
            frame = FrameCodec.decode(message.getBytes());
        } catch (ProtocolException e) {
            protocolError(e.getMessage());
            return;
        }
        if (state == State.AWAITING_HELLO) {
            onHello(frame);
        } else if (frame.streamId() == 0) {
            onSessionFrame(frame);
        } else {
            fromConnector(frame, message);
        }
    }

    private void onHello(Frame frame) {
        if (!(frame instanceof Frame.Hello hello)) {
            protocolError(
                    "the first frame must be HELLO, got " + frame.getClass().getSimpleName());
            return;
        }
        if (hello.version() < FrameCodec.MIN_VERSION || hello.version() > FrameCodec.VERSION) {
            AuditLog.rejected(peer, subaccount, hello.connectorId(), "unsupported protocol version " + hello.version());
            goAway(
                    Reason.PROTOCOL_ERROR,
                    "protocol version " + hello.version() + " is not supported; this "
                            + "tunnel-service speaks versions " + FrameCodec.MIN_VERSION + " to " + FrameCodec.VERSION);
            return;
        }
        if (!SessionKey.valid(subaccount, hello.locationId())) {
            AuditLog.rejected(peer, subaccount, hello.connectorId(), "invalid location id");
            goAway(
                    Reason.PROTOCOL_ERROR,
                    "invalid location id '" + hello.locationId()
                            + "': use letters, digits, '.', '_', '~' or '-', at most 128");
            return;
        }
        key = new SessionKey(subaccount, hello.locationId());
        connectorId = hello.connectorId();
        version = hello.version();
        if (version >= FrameCodec.SERVICE_CHANNELS_VERSION) {
            channels = new StreamMultiplexer(
                    ws::writeBinaryMessage,
                    2,
                    ChannelBridge.WINDOW,
                    ChannelBridge.MAX_WINDOW,
                    channelBridge.windowBudget(),
                    ChannelBridge.CHUNK);
        }
        state = State.ACTIVE;
        // A tunnel-service answers each connector in the version it asked for.
        send(new Frame.HelloOk(version, id, settings.maxStreamsPerSession()));
        if (version >= FrameCodec.REPLICAS_VERSION) {
            announce(broker.replicasFrame());
        }
        broker.activate(this);
        AuditLog.accepted(peer, subaccount, connectorId, key.locationId(), id);
    }

    /** Tells the connector the replicas it should hold sessions to (version 4 sessions only). */
    void announce(Frame.Replicas replicas) {
        if (state == State.ACTIVE && version >= FrameCodec.REPLICAS_VERSION) {
            send(replicas);
        }
    }

    private void onSessionFrame(Frame frame) {
        if (frame instanceof Frame.Ping ping) {
            send(new Frame.Pong(ping.opaque()));
        } else if (frame instanceof Frame.GoAway goAway) {
            LOG.infof("session %s: connector sent GOAWAY (%s: %s)", id, goAway.reason(), goAway.message());
            drain();
        } else if (!(frame instanceof Frame.Pong)) {
            protocolError("unexpected " + frame.getClass().getSimpleName() + " after the handshake");
        }
    }

    // ---- streams -----------------------------------------------------------------------------

    /** A proxy-service node opens a stream over this session. */
    void openFromProxy(String proxyAddress, int proxyStreamId, Buffer openFrame) {
        if (state != State.ACTIVE) {
            broker.toProxy(
                    proxyAddress,
                    new Frame.OpenFail(proxyStreamId, Reason.SESSION_LOST, "the connector session is closing"));
            return;
        }
        if (links.size() >= settings.maxStreamsPerSession()) {
            broker.recordOpenFailure(Reason.TOO_MANY_STREAMS);
            broker.toProxy(
                    proxyAddress,
                    new Frame.OpenFail(
                            proxyStreamId,
                            Reason.TOO_MANY_STREAMS,
                            "the connector session already carries " + links.size() + " streams"));
            return;
        }
        if (openFrame.getUnsignedByte(1) == FrameCodec.FLAG_PRINCIPALS
                && version < FrameCodec.PRINCIPAL_PROPAGATION_VERSION) {
            broker.recordOpenFailure(Reason.PRINCIPAL_PROPAGATION_UNSUPPORTED);
            broker.toProxy(proxyAddress, principalsUnsupported(proxyStreamId, version));
            return;
        }
        int streamId = allocateStreamId();
        Link link = new Link(proxyAddress, proxyStreamId, streamId, this);
        links.put(streamId, link);
        streamCount = links.size();
        if (!broker.linkOpened(link)) {
            links.remove(streamId);
            streamCount = links.size();
            broker.toProxy(proxyAddress, new Frame.Rst(proxyStreamId, Reason.PROTOCOL_ERROR, "stream id in use"));
            return;
        }
        FrameBuffers.rewriteStreamId(openFrame, streamId);
        ws.writeBinaryMessage(openFrame);
    }

    /** The refusal of an OPEN with tokens for a session of {@code version}, which cannot carry them. */
    static Frame.OpenFail principalsUnsupported(int proxyStreamId, int version) {
        return new Frame.OpenFail(
                proxyStreamId,
                Reason.PRINCIPAL_PROPAGATION_UNSUPPORTED,
                "principal propagation (SAP-Connectivity-Authentication, SAP-Connectivity-Technical-Authentication) "
                        + "needs tunnel protocol version " + FrameCodec.PRINCIPAL_PROPAGATION_VERSION
                        + "; the connector for this location speaks version " + version + " (upgrade it)");
    }

    /** A frame from proxy-service for an open link. */
    void fromProxy(Link link, Frame frame, Buffer encoded) {
        if (links.get(link.sessionStreamId) != link) {
            return;
        }
        FrameBuffers.rewriteStreamId(encoded, link.sessionStreamId);
        ws.writeBinaryMessage(encoded);
        if (frame instanceof Frame.Data data) {
            broker.countBytes(data.payload().length, true);
        } else if (frame instanceof Frame.Rst) {
            unlink(link);
        } else if (frame instanceof Frame.Fin) {
            link.finFromProxy = true;
            if (link.finFromConnector) {
                unlink(link);
            }
        }
    }

    /** The proxy node of a link left the cluster: the connector can drop the stream. */
    void proxyGone(Link link) {
        if (links.get(link.sessionStreamId) != link) {
            return;
        }
        send(new Frame.Rst(link.sessionStreamId, Reason.CANCELLED, "the proxy-service node left the cluster"));
        unlink(link);
    }

    private void dataFromConnector(Buffer frame) throws ProtocolException {
        int streamId = FrameBuffers.streamId(frame);
        if (streamId % 2 == 0) {
            if (channels != null) {
                channels.dispatch(frame);
            }
            return;
        }
        Link link = links.get(streamId);
        if (link == null) {
            return;
        }
        FrameBuffers.rewriteStreamId(frame, link.proxyStreamId);
        broker.toProxy(link.proxyAddress, frame);
        broker.countBytes(frame.length() - FrameCodec.HEADER_LENGTH, false);
    }

    /** DATA from proxy-service for an open link: forwarded as it came, stream id rewritten. */
    void dataFromProxy(Link link, Buffer frame) {
        if (links.get(link.sessionStreamId) != link) {
            return;
        }
        FrameBuffers.rewriteStreamId(frame, link.sessionStreamId);
        ws.writeBinaryMessage(frame);
        broker.countBytes(frame.length() - FrameCodec.HEADER_LENGTH, true);
    }

    private void fromConnector(Frame frame, Buffer encoded) {
        if (frame.streamId() % 2 == 0) {
            fromChannel(frame);
            return;
        }
        Link link = links.get(frame.streamId());
        if (link == null) {
            if (frame instanceof Frame.Open) {
                send(new Frame.OpenFail(
                        frame.streamId(),
                        Reason.PROTOCOL_NOT_ALLOWED,
                        "connector-initiated streams (service channels) are not supported by this tunnel-service"));
            }
            return;
        }
        FrameBuffers.rewriteStreamId(encoded, link.proxyStreamId);
        broker.toProxy(link.proxyAddress, encoded);
        if (frame instanceof Frame.Data data) {
            broker.countBytes(data.payload().length, false);
        } else if (frame instanceof Frame.OpenFail fail) {
            broker.recordOpenFailure(fail.reason());
            unlink(link);
        } else if (frame instanceof Frame.Rst) {
            unlink(link);
        } else if (frame instanceof Frame.Fin) {
            link.finFromConnector = true;
            if (link.finFromProxy) {
                unlink(link);
            }
        } else if (frame instanceof Frame.Open) {
            protocolError("OPEN for stream " + frame.streamId() + " which is already open");
        }
    }

    // ---- service channels (even ids, opened by the connector) ---------------------------------

    private void fromChannel(Frame frame) {
        if (channels == null) {
            if (frame instanceof Frame.ChannelOpen) {
                protocolError("CHANNEL_OPEN needs protocol version " + FrameCodec.SERVICE_CHANNELS_VERSION
                        + "; this session speaks version " + version);
            } else if (frame instanceof Frame.Open) {
                send(new Frame.OpenFail(
                        frame.streamId(),
                        Reason.PROTOCOL_NOT_ALLOWED,
                        "connector-opened streams (service channels) need protocol version "
                                + FrameCodec.SERVICE_CHANNELS_VERSION));
            }
            return;
        }
        if (frame instanceof Frame.ChannelOpen open) {
            onChannelOpen(open);
        } else if (frame instanceof Frame.Open) {
            protocolError("a connector opens service-channel streams with CHANNEL_OPEN, not OPEN");
        } else {
            channels.dispatch(frame);
        }
    }

    private void onChannelOpen(Frame.ChannelOpen open) {
        if (state != State.ACTIVE) {
            broker.recordChannelRefusal(Reason.SHUTDOWN);
            send(new Frame.OpenFail(open.streamId(), Reason.SHUTDOWN, "the tunnel session is closing"));
            return;
        }
        if (channels.size() >= settings.maxStreamsPerSession()) {
            broker.recordChannelRefusal(Reason.TOO_MANY_STREAMS);
            send(new Frame.OpenFail(
                    open.streamId(),
                    Reason.TOO_MANY_STREAMS,
                    "the tunnel session already carries " + channels.size() + " service-channel streams"));
            return;
        }
        TunnelStream stream = channels.incoming(context, open.streamId());
        if (stream == null) {
            protocolError("CHANNEL_OPEN for stream " + open.streamId() + " which is already open");
            return;
        }
        int streamId = open.streamId();
        channelBridge.open(this, stream, open, info -> channelStreams.put(streamId, info), () -> {
            channelStreams.remove(streamId);
            finishDrain();
        });
    }

    private void finishDrain() {
        if (state == State.DRAINING && links.isEmpty() && channelStreamCount() == 0) {
            close("drained");
        }
    }

    private void unlink(Link link) {
        links.remove(link.sessionStreamId);
        streamCount = links.size();
        broker.linkClosed(link);
        finishDrain();
    }

    private int allocateStreamId() {
        while (true) {
            int streamId = nextStreamId;
            nextStreamId = (nextStreamId + 2) & 0x7fffffff;
            if (nextStreamId == 0) {
                nextStreamId = 1;
            }
            if (!links.containsKey(streamId)) {
                return streamId;
            }
        }
    }

    // ---- ending ------------------------------------------------------------------------------

    /** Stops taking new streams; closes once the open ones are done. */
    void drain() {
        if (state == State.ACTIVE) {
            state = State.DRAINING;
            broker.deactivate(this);
        }
        finishDrain();
    }

    /** Tells the connector to go away (it reconnects elsewhere) and drains. */
    void shutdown() {
        if (state == State.ACTIVE || state == State.DRAINING) {
            send(new Frame.GoAway(Reason.SHUTDOWN, "tunnel-service is shutting down"));
            drain();
        } else {
            close("shutdown");
        }
    }

    private void protocolError(String message) {
        LOG.warnf("session %s from %s: protocol error: %s", id, peer, message);
        goAway(Reason.PROTOCOL_ERROR, message);
    }

    private void goAway(Reason reason, String message) {
        if (state != State.CLOSED) {
            send(new Frame.GoAway(reason, message));
        }
        close("protocol error: " + message);
    }

    void close(String why) {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasRegistered = state == State.ACTIVE || state == State.DRAINING;
        state = State.CLOSED;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        for (Link link : new ArrayList<>(links.values())) {
            broker.toProxy(
                    link.proxyAddress,
                    new Frame.Rst(link.proxyStreamId, Reason.SESSION_LOST, "the connector session was lost: " + why));
            broker.linkClosed(link);
        }
        links.clear();
        streamCount = 0;
        if (channels != null) {
            channels.loseAll(Reason.SESSION_LOST, "the tunnel session was lost: " + why);
        }
        broker.deactivate(this);
        if (wasRegistered) {
            AuditLog.closed(peer, subaccount, id, why);
        }
        if (!ws.isClosed()) {
            ws.close((short) 1000, why.length() > 100 ? why.substring(0, 100) : why);
        }
    }

    private void send(Frame frame) {
        ws.writeBinaryMessage(Buffer.buffer(FrameCodec.encode(frame)));
    }
}
