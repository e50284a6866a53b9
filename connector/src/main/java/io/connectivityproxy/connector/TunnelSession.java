package io.connectivityproxy.connector;

import java.net.URI;
import java.time.Instant;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import org.jboss.logging.Logger;

import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.HttpHead;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.protocol.WindowBudget;
import io.connectivityproxy.stream.StreamException;
import io.connectivityproxy.stream.StreamMultiplexer;
import io.connectivityproxy.stream.TunnelStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * One of the connector's parallel sessions to tunnel-service. Keeps itself connected: dials
 * out over mutual TLS, says HELLO, serves the streams tunnel-service opens, pings, and after
 * any failure reconnects with a {@link Backoff}: quickly at first after losing an established
 * connection, exponentially with full jitter otherwise. After a GOAWAY the old
 * connection finishes its streams while a new one is dialled. A session dials either
 * {@code tunnel.url} (reaching whichever replica the load balancer picks) or the URL of one
 * announced replica (protocol version 4, see {@link Connector}); either way it reports the
 * replica it is on and the replicas tunnel-service announces to a {@link ReplicaListener}.
 */
final class TunnelSession {

    private static final Logger LOG = Logger.getLogger(TunnelSession.class);

    /** Hears, on the session's context, what tunnel-service says about its replicas (version 4). */
    interface ReplicaListener {
        /** {@code replicas} arrived on {@code session}, which is on replica {@code replicas.self()}. */
        void announced(TunnelSession session, Frame.Replicas replicas);

        /** {@code session} lost its connection (it reconnects by itself). */
        void lost(TunnelSession session);
    }

    /** Lifecycle of the session (of its current connection). */
    enum State {
        CONNECTING,
        /** WebSocket open, HELLO sent, waiting for HELLO_OK. */
        HANDSHAKING,
        ACTIVE,
        /** Waiting out a backoff delay before the next attempt. */
        BACKOFF,
        STOPPED
    }

    private final Vertx vertx;
    private final ConnectorSettings settings;
    private final int index;
    private final BackendBridge bridge;
    private final ConnectorMetrics metrics;
    private final HttpClient client;
    private final Backoff backoff;
    private final Context context;
    private final WindowBudget windowBudget;
    private final Supplier<AccessControlList> accessControl;
    /** Where this session dials: tunnel.url, or the URL of {@link #replica}. */
    private final URI url;
    /** The replica this session was made for, or null for a session to tunnel.url. */
    private final String replica;

    private final ReplicaListener replicas;
    private volatile State state = State.CONNECTING;
    /** The replica the established connection is on (version 4), or null. */
    private volatile String replicaId;

    private volatile String sessionId;
    /** When the current connection's handshake completed; null while there is none. */
    private volatile Instant establishedAt;

    private Connection current;
    /** Streams of the established connection that takes new service-channel streams; null while there is none. */
    private volatile StreamMultiplexer channelStreams;

    /**
     * A session to {@code url}; {@code replica} names the replica that URL should reach (null for
     * tunnel.url), and {@code replicas} hears the replicas tunnel-service announces.
     * {@code accessControl} gives the list in force when a stream opens (it changes when the file does).
     */
    TunnelSession(
            Vertx vertx,
            ConnectorSettings settings,
            int index,
            BackendBridge bridge,
            ConnectorMetrics metrics,
            RandomGenerator random,
            WindowBudget windowBudget,
            Supplier<AccessControlList> accessControl,
            URI url,
            String replica,
            ReplicaListener replicas) {
        this.url = url;
        this.replica = replica;
        this.replicas = replicas;
        this.vertx = vertx;
        this.accessControl = accessControl;
        this.windowBudget = windowBudget;
        this.settings = settings;
        this.index = index;
        this.bridge = bridge;
        this.metrics = metrics;
        this.context = vertx.getOrCreateContext();
        this.backoff = new Backoff(
                settings.reconnectInitialDelay(),
                settings.reconnectMaxDelay(),
                settings.reconnectFastPhase(),
                settings.reconnectFastMaxDelay(),
                random,
                System::nanoTime);
        this.client = vertx.createHttpClient(clientOptions(settings));
    }

    /** The tunnel's TLS and WebSocket client settings; {@code connector check} dials with the same ones. */
    static HttpClientOptions clientOptions(ConnectorSettings settings) {
        int frame = FrameCodec.HEADER_LENGTH + FrameCodec.MAX_PAYLOAD;
        HttpClientOptions options = new HttpClientOptions();
        if (usesOpenSsl(settings)) {
            options.setSslEngineOptions(new OpenSSLEngineOptions());
        }
        return options.setSsl(true)
                .setVerifyHost(true)
                .setTrustOptions(new PemTrustOptions().addCertPath(settings.ca().toString()))
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(settings.certificate().toString())
                        .setKeyPath(settings.key().toString()))
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setTcpNoDelay(true)
                .setMaxWebSocketFrameSize(frame)
                .setMaxWebSocketMessageSize(frame)
                // Inside TLS masking protects nothing; tunnel-service accepts unmasked frames.
                .setSendUnmaskedFrames(true);
    }

    /** Where the tunnel WebSocket is: host, port (default 443) and path (default /tunnel) of tunnel.url. */
    static WebSocketConnectOptions connectOptions(ConnectorSettings settings) {
        return connectOptions(settings, settings.tunnelUrl());
    }

    /** The same for {@code url} (tunnel.url or an announced replica's URL). */
    static WebSocketConnectOptions connectOptions(ConnectorSettings settings, URI url) {
        return new WebSocketConnectOptions()
                .setHost(url.getHost())
                .setPort(url.getPort() > 0 ? url.getPort() : 443)
                .setURI(url.getRawPath() == null || url.getRawPath().isEmpty() ? "/tunnel" : url.getRawPath())
                .setSsl(true)
                .setTimeout(settings.connectTimeout().toMillis());
    }

    /** True when the tunnel TLS runs in BoringSSL: asked for, and the platform (JVM build) has it. */
    static boolean usesOpenSsl(ConnectorSettings settings) {
        return settings.openssl() && OpenSSLEngineOptions.isAvailable();
    }

    State state() {
        return state;
    }

    String sessionId() {
        return sessionId;
    }

    int index() {
        return index;
    }

    /** Where this session dials. */
    URI url() {
        return url;
    }

    /** The replica this session was made for, or null for a session to tunnel.url. */
    String replica() {
        return replica;
    }

    /** The replica the established connection is on (protocol version 4), or null. */
    String replicaId() {
        return state == State.ACTIVE ? replicaId : null;
    }

    /** How log lines name this session. */
    private String name() {
        return replica == null ? "session " + index : "session " + index + " (replica " + replica + ")";
    }

    /** When the session's current connection was established, or null. */
    Instant establishedAt() {
        return state == State.ACTIVE ? establishedAt : null;
    }

    /** Streams the established connection carries now (both directions), or -1 without one: for picking a session. */
    int load() {
        StreamMultiplexer streams = channelStreams;
        return streams == null ? -1 : streams.size();
    }

    /**
     * Opens a service-channel stream on the established connection; the stream runs on
     * {@code streamContext} and the future completes there. Fails with NO_SESSION when this
     * session has no established connection (any more).
     */
    Future<TunnelStream> openChannel(Context streamContext, TargetProtocol type, String serviceId) {
        Promise<TunnelStream> opened = ((ContextInternal) streamContext).promise();
        context.runOnContext(v -> {
            // On the session's context, so the connection cannot be lost between the check and the OPEN.
            Connection connection = current;
            if (connection == null || !connection.handshaken || connection.closed || state != State.ACTIVE) {
                opened.fail(new StreamException(Reason.NO_SESSION, "tunnel session " + index + " is not established"));
                return;
            }
            opened.complete(connection.streams.openChannel(streamContext, type, serviceId));
        });
        return opened.future();
    }

    void start() {
        context.runOnContext(v -> connect());
    }

    void stop() {
        context.runOnContext(v -> {
            state = State.STOPPED;
            if (current != null) {
                current.goAway(Reason.SHUTDOWN, "connector is shutting down");
            }
        });
    }

    private void connect() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.CONNECTING;
        client.webSocket(connectOptions(settings, url)).onComplete(ar -> {
            if (ar.failed()) {
                if (ar.cause() instanceof UpgradeRejectedException rejected) {
                    Buffer body = rejected.getBody();
                    // 4xx is tunnel-service (or the gateway) turning this connector away; 5xx
                    // (shutting down, no healthy upstream) is an outage the fast phase is for.
                    if (rejected.getStatus() < 500) {
                        backoff.refused();
                    }
                    retry("tunnel-service refused the connection (HTTP " + rejected.getStatus() + "): "
                            + (body == null ? "" : body.toString().trim()));
                } else {
                    retry("cannot connect to " + url + ": " + ar.cause().getMessage());
                }
                return;
            }
            if (state == State.STOPPED) {
                ar.result().close();
                return;
            }
            current = new Connection(ar.result());
            current.start();
        });
    }

    private void retry(String why) {
        if (state == State.STOPPED) {
            return;
        }
        state = State.BACKOFF;
        long delay = backoff.nextDelayMillis();
        LOG.warnf(
                "%s: %s; reconnecting in %d ms (attempt %d%s)",
                name(), why, delay, backoff.attempt(), backoff.fast() ? ", fast phase" : "");
        vertx.setTimer(Math.max(1, delay), t -> connect());
    }

    /** One WebSocket connection of this session and the streams it carries. */
    private final class Connection {

        private final WebSocket ws;
        private final StreamMultiplexer streams;
        private boolean handshaken;
        private boolean replaced;
        private boolean closed;
        private long lastReceived = System.nanoTime();
        private long timer;

        Connection(WebSocket ws) {
            this.ws = ws;
            // The connector would open even stream ids (service channels); tunnel-service opens odd ones.
            this.streams = new StreamMultiplexer(
                    ws::writeBinaryMessage,
                    2,
                    settings.window(),
                    settings.maxWindow(),
                    windowBudget,
                    settings.chunkSize());
        }

        void start() {
            state = State.HANDSHAKING;
            ws.binaryMessageHandler(this::onMessage);
            ws.textMessageHandler(text -> goAway(Reason.PROTOCOL_ERROR, "text messages are not part of the protocol"));
            ws.exceptionHandler(e -> LOG.debugf("%s: %s", name(), e.getMessage()));
            ws.closeHandler(v -> closed("tunnel-service closed the connection"
                    + (ws.closeReason() != null ? " (" + ws.closeReason() + ")" : "")));
            send(new Frame.Hello(settings.protocolVersion(), settings.connectorId(), settings.locationId()));
            timer = vertx.setPeriodic(settings.pingInterval().toMillis(), t -> tick());
        }

        private void tick() {
            if (System.nanoTime() - lastReceived > settings.idleTimeout().toNanos()) {
                LOG.warnf("%s: no frame from tunnel-service for %s", name(), settings.idleTimeout());
                ws.close((short) 1001, "ping timeout");
                closed("ping timeout");
            } else if (handshaken) {
                send(new Frame.Ping(System.nanoTime()));
            }
        }

        private void onMessage(Buffer message) {
            if (closed) {
                return;
            }
            lastReceived = System.nanoTime();
            Frame frame;
            try {
                if (handshaken && message.length() > 0 && message.getByte(0) == FrameCodec.TYPE_DATA) {
                    // The bulk of the traffic: straight to its stream, payload not copied again.
                    streams.dispatch(message);
                    return;
                }
                frame = FrameCodec.decode(message.getBytes());
            } catch (ProtocolException e) {
                goAway(Reason.PROTOCOL_ERROR, e.getMessage());
                return;
            }
            if (!handshaken) {
                if (frame instanceof Frame.HelloOk ok) {
                    if (ok.version() != settings.protocolVersion()) {
                        backoff.refused();
                        goAway(
                                Reason.PROTOCOL_ERROR,
                                "HELLO_OK names protocol version " + ok.version() + ", this connector asked for "
                                        + settings.protocolVersion());
                        return;
                    }
                    handshaken = true;
                    channelStreams = streams;
                    sessionId = ok.sessionId();
                    establishedAt = Instant.now();
                    state = State.ACTIVE;
                    backoff.reset();
                    metrics.sessionUp();
                    LOG.infof(
                            "%s established to %s: session %s, location %s",
                            name(),
                            url,
                            ok.sessionId(),
                            settings.locationId().isEmpty() ? "(default)" : settings.locationId());
                } else if (frame instanceof Frame.GoAway goAway) {
                    LOG.errorf("%s: tunnel-service refused the handshake: %s", name(), goAway.message());
                    backoff.refused();
                    ws.close();
                    closed("handshake refused: " + goAway.message());
                } else {
                    goAway(
                            Reason.PROTOCOL_ERROR,
                            "expected HELLO_OK, got " + frame.getClass().getSimpleName());
                }
                return;
            }
            if (frame instanceof Frame.Open open) {
                onOpen(open);
            } else if (frame instanceof Frame.ChannelOpen) {
                goAway(Reason.PROTOCOL_ERROR, "CHANNEL_OPEN is sent by connectors only");
            } else if (frame.streamId() != 0) {
                streams.dispatch(frame);
            } else if (frame instanceof Frame.Ping ping) {
                send(new Frame.Pong(ping.opaque()));
            } else if (frame instanceof Frame.Replicas announced) {
                onReplicas(announced);
            } else if (frame instanceof Frame.GoAway goAway) {
                LOG.infof("%s: tunnel-service sent GOAWAY (%s); dialling a new connection", name(), goAway.message());
                replace();
            } else if (!(frame instanceof Frame.Pong)) {
                goAway(Reason.PROTOCOL_ERROR, "unexpected " + frame.getClass().getSimpleName());
            }
        }

        private void onReplicas(Frame.Replicas announced) {
            if (settings.protocolVersion() < FrameCodec.REPLICAS_VERSION) {
                goAway(
                        Reason.PROTOCOL_ERROR,
                        "REPLICAS needs protocol version " + FrameCodec.REPLICAS_VERSION
                                + "; this session speaks version " + settings.protocolVersion());
                return;
            }
            if (current != this) {
                // Replaced after a GOAWAY: this connection only finishes its streams.
                return;
            }
            if (replica != null && !replica.equals(announced.self())) {
                LOG.warnf(
                        "%s: %s, announced for replica %s, reached replica %s: check the gateway's per-replica "
                                + "routes",
                        name(), url, replica, announced.self());
                // A misrouting gateway is not an outage: no fast phase for it.
                backoff.refused();
                goAway(Reason.SHUTDOWN, "this connection reached another replica than the one it dialled");
                return;
            }
            replicaId = announced.self();
            replicas.announced(TunnelSession.this, announced);
        }

        private void onOpen(Frame.Open open) {
            if (open.streamId() % 2 == 0) {
                // Even ids are this connector's own (service channels).
                goAway(
                        Reason.PROTOCOL_ERROR,
                        "OPEN on even stream id " + open.streamId() + ": tunnel-service opens odd ids");
                return;
            }
            if (open.principals().present() && settings.protocolVersion() < FrameCodec.PRINCIPAL_PROPAGATION_VERSION) {
                goAway(
                        Reason.PROTOCOL_ERROR,
                        "OPEN with principals needs protocol version "
                                + FrameCodec.PRINCIPAL_PROPAGATION_VERSION + "; this session speaks version "
                                + settings.protocolVersion());
                return;
            }
            TunnelStream stream = streams.incoming(context, open);
            if (stream == null) {
                goAway(Reason.PROTOCOL_ERROR, "OPEN for stream " + open.streamId() + " which is already open");
                return;
            }
            HttpHead.Request head = null;
            String path = null;
            // proxy-service carries Upgrade only for a request that asks to switch protocols.
            boolean upgrade = false;
            if (open.protocol().isHttp()) {
                try {
                    head = HttpHead.decodeRequest(open.head());
                } catch (ProtocolException e) {
                    metrics.openFailure(Reason.PROTOCOL_ERROR);
                    stream.reject(Reason.PROTOCOL_ERROR, "malformed HTTP request head: " + e.getMessage());
                    return;
                }
                upgrade = io.connectivityproxy.protocol.http.Fields.has(head.headers(), "upgrade");
                int query = head.uri().indexOf('?');
                path = query < 0 ? head.uri() : head.uri().substring(0, query);
            }
            // The list in force now: the connector's file is watched and may have changed since the start.
            AccessControlList.Decision decision =
                    accessControl.get().decide(open.protocol(), open.host(), open.port(), path, upgrade);
            if (!decision.allowed()) {
                metrics.openFailure(decision.reason(), decision.message());
                LOG.infof(
                        "%s: refused %s %s:%d%s: %s",
                        name(),
                        open.protocol(),
                        open.host(),
                        open.port(),
                        path == null ? "" : path,
                        decision.message());
                stream.reject(decision.reason(), decision.message());
                return;
            }
            if (open.protocol().isHttp()) {
                bridge.openHttp(stream, open.window(), decision.mapping(), head, upgrade, open.principals());
            } else {
                bridge.openTcp(stream, open.window(), decision.mapping());
            }
        }

        /** tunnel-service is going away: keep serving this connection's streams, dial a new one. */
        private void replace() {
            if (!replaced && current == this) {
                replaced = true;
                current = null;
                channelStreams = null;
                replicaId = null;
                metrics.sessionDown();
                retry("tunnel-service asked this session to go away");
                replicas.lost(TunnelSession.this);
            }
        }

        void goAway(Reason reason, String message) {
            if (reason == Reason.PROTOCOL_ERROR) {
                LOG.errorf("%s: protocol error: %s", name(), message);
            }
            send(new Frame.GoAway(reason, message));
            ws.close();
            closed(message);
        }

        private void closed(String why) {
            if (closed) {
                return;
            }
            closed = true;
            if (channelStreams == streams) {
                channelStreams = null;
            }
            vertx.cancelTimer(timer);
            streams.loseAll(Reason.SESSION_LOST, "the tunnel session was lost: " + why);
            if (handshaken && !replaced) {
                metrics.sessionDown();
            }
            if (current == this) {
                current = null;
                replicaId = null;
                if (handshaken) {
                    LOG.warnf("%s lost: %s", name(), why);
                }
                retry(why);
                replicas.lost(TunnelSession.this);
            }
        }

        private void send(Frame frame) {
            if (!ws.isClosed()) {
                ws.writeBinaryMessage(Buffer.buffer(FrameCodec.encode(frame)));
            }
        }
    }
}
