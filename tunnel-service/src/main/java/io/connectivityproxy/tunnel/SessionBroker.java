package io.connectivityproxy.tunnel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.connectivityproxy.cluster.BusAddresses;
import io.connectivityproxy.cluster.ClusterNode;
import io.connectivityproxy.cluster.ClusterSettings;
import io.connectivityproxy.cluster.FrameMessageCodec;
import io.connectivityproxy.cluster.LivenessTracker;
import io.connectivityproxy.cluster.MemberAdmission;
import io.connectivityproxy.cluster.ReplicaDirectory;
import io.connectivityproxy.cluster.RouteWarmer;
import io.connectivityproxy.cluster.SessionKey;
import io.connectivityproxy.cluster.SessionRegistry;
import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.stream.FrameBuffers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * This node's connector sessions and the streams relayed through them. Receives frames from
 * proxy-service nodes on this node's event bus address, picks a session for each OPEN, and
 * forwards every later frame of the stream to the same session (and back).
 */
@Singleton
public class SessionBroker {

    private static final Logger LOG = Logger.getLogger(SessionBroker.class);

    private final Vertx vertx;
    private final ClusterNode node;
    private final SessionRegistry registry;
    private final ReplicaDirectory directory;
    private final TunnelMetrics metrics;
    private final ClusterSettings clusterSettings;
    private final Map<SessionKey, Set<ConnectorSession>> sessions = new ConcurrentHashMap<>();
    private final Set<ConnectorSession> allSessions = ConcurrentHashMap.newKeySet();
    private final Map<String, Link> links = new ConcurrentHashMap<>();
    private volatile DeliveryOptions fromThisNode;
    private volatile String nodeId;
    private MessageConsumer<Buffer> consumer;
    private long heartbeatTimer = -1;

    public SessionBroker(
            Vertx vertx,
            ClusterNode node,
            SessionRegistry registry,
            ReplicaDirectory directory,
            TunnelMetrics metrics,
            ClusterSettings clusterSettings) {
        this.vertx = vertx;
        this.node = node;
        this.registry = registry;
        this.directory = directory;
        this.metrics = metrics;
        this.clusterSettings = clusterSettings;
        metrics.bind(this);
    }

    /** Joins the relay: listens on this node's address and watches proxy nodes leave. Blocking. */
    void start() {
        nodeId = node.nodeId();
        String address = BusAddresses.tunnelNode(nodeId);
        FrameMessageCodec.register(vertx.eventBus());
        fromThisNode =
                new DeliveryOptions().setCodecName(FrameMessageCodec.NAME).addHeader(BusAddresses.FROM, address);
        consumer = vertx.eventBus().consumer(address, this::fromProxy);
        // Known cluster-wide before the first session is registered, so proxy nodes can admit this node.
        awaitRegistration(consumer);
        registry.start();
        directory.onChange(replicas -> announceReplicas());
        directory.start();
        node.onMemberLeft(this::proxyNodeLeft);
        // proxy-service nodes of any version drop a message that names no sender.
        new RouteWarmer(vertx, node, BusAddresses::proxyNode, Map.of()).start();
        startHeartbeat();
        LOG.infof("tunnel-service node %s relays streams on %s", node.nodeId(), address);
    }

    /** Tells proxy-service nodes this node is alive, so they notice at once when it goes silent. */
    private void startHeartbeat() {
        LivenessTracker.validate(clusterSettings.livenessInterval(), clusterSettings.livenessTimeout());
        String id = nodeId;
        vertx.eventBus().publish(BusAddresses.TUNNEL_HEARTBEAT, id);
        heartbeatTimer = vertx.setPeriodic(clusterSettings.livenessInterval().toMillis(), timer -> vertx.eventBus()
                .publish(BusAddresses.TUNNEL_HEARTBEAT, id));
    }

    private static void awaitRegistration(MessageConsumer<Buffer> consumer) {
        Promise<Void> registered = Promise.promise();
        consumer.completionHandler(registered);
        try {
            registered.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering " + consumer.address(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not register " + consumer.address() + " with the cluster", e);
        }
    }

    Future<Void> stop() {
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
        }
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }

    // ---- sessions ----------------------------------------------------------------------------

    void attach(ConnectorSession session) {
        allSessions.add(session);
    }

    void activate(ConnectorSession session) {
        sessions.computeIfAbsent(session.key(), k -> ConcurrentHashMap.newKeySet())
                .add(session);
        registry.register(session.key(), session.id)
                .onFailure(e -> LOG.errorf("could not register session %s: %s", session.id, e.getMessage()));
        metrics.sessionsChanged(allSessions);
    }

    void deactivate(ConnectorSession session) {
        Set<ConnectorSession> forKey = session.key() == null ? null : sessions.get(session.key());
        if (forKey != null && forKey.remove(session)) {
            registry.unregister(session.key(), session.id)
                    .onFailure(e -> LOG.errorf("could not unregister session %s: %s", session.id, e.getMessage()));
        }
        if (session.state() == ConnectorSession.State.CLOSED) {
            allSessions.remove(session);
        }
        metrics.sessionsChanged(allSessions);
    }

    /** Sessions of every state on this node, for the admin endpoint and metrics. */
    Collection<ConnectorSession> sessions() {
        return List.copyOf(allSessions);
    }

    int openStreams() {
        return links.size();
    }

    // ---- replicas (protocol version 4) --------------------------------------------------------

    /** The REPLICAS frame for this node's sessions now: this node and the replicas of the directory. */
    Frame.Replicas replicasFrame() {
        return new Frame.Replicas(
                node.nodeId(),
                directory.replicas().stream()
                        .map(replica -> new Frame.Replica(replica.nodeId(), replica.url()))
                        .toList());
    }

    /** Tells every established session of version 4 or later the replicas as they are now. */
    private void announceReplicas() {
        Frame.Replicas frame = replicasFrame();
        for (ConnectorSession session : sessions()) {
            session.context().runOnContext(v -> session.announce(frame));
        }
    }

    /** Announces this replica to connectors (its tunnel endpoint listens). Blocking. */
    void publishReplica(String url) {
        directory.publish(url);
    }

    /** Stops announcing this replica, before its sessions are asked to go away. Blocking. */
    void withdrawReplica() {
        directory.withdraw();
    }

    /** Asks every session to drain; completes when all closed or {@code timeoutMillis} passed. */
    void shutdownSessions() {
        for (ConnectorSession session : sessions()) {
            session.context().runOnContext(v -> session.shutdown());
        }
    }

    void closeAll(String why) {
        for (ConnectorSession session : sessions()) {
            session.context().runOnContext(v -> session.close(why));
        }
    }

    // ---- frames from proxy-service -----------------------------------------------------------

    private void fromProxy(Message<Buffer> message) {
        if (MemberAdmission.answerProbe(message, nodeId)) {
            return;
        }
        String from = message.headers().get(BusAddresses.FROM);
        Buffer body = message.body();
        Frame frame;
        try {
            if (FrameBuffers.checkHeader(body) == FrameCodec.TYPE_DATA) {
                // The bulk of the traffic: relayed as it came, only the stream id is rewritten.
                Link link = links.get(Link.busKey(from, FrameBuffers.streamId(body)));
                if (link != null) {
                    link.session.context().emit(body, data -> link.session.dataFromProxy(link, data));
                }
                return;
            }
            frame = FrameCodec.decode(body.getBytes());
        } catch (ProtocolException e) {
            LOG.warnf("dropped a malformed frame from %s: %s", from, e.getMessage());
            return;
        }
        if (from == null || frame.streamId() == 0) {
            LOG.warnf(
                    "dropped a %s frame without a stream or sender",
                    frame.getClass().getSimpleName());
            return;
        }
        if (frame instanceof Frame.Open open) {
            openFromProxy(from, message, open, body);
            return;
        }
        Link link = links.get(Link.busKey(from, frame.streamId()));
        if (link != null) {
            link.session.context().emit(body, encoded -> link.session.fromProxy(link, frame, encoded));
        }
    }

    private void openFromProxy(String from, Message<Buffer> message, Frame.Open open, Buffer openFrame) {
        int proxyStreamId = open.streamId();
        String subaccount = message.headers().get(BusAddresses.SUBACCOUNT);
        String location = message.headers().get(BusAddresses.LOCATION);
        if (!SessionKey.valid(subaccount, location)) {
            toProxy(
                    from,
                    new Frame.OpenFail(proxyStreamId, Reason.PROTOCOL_ERROR, "invalid subaccount or location id"));
            return;
        }
        SessionKey key = new SessionKey(subaccount, location);
        // A session of an older protocol version must never see the tokens it cannot read.
        boolean principals = open.principals().present();
        ConnectorSession session = pick(key, principals ? FrameCodec.PRINCIPAL_PROPAGATION_VERSION : 0);
        if (session == null && principals) {
            ConnectorSession older = pick(key, 0);
            if (older != null) {
                recordOpenFailure(Reason.PRINCIPAL_PROPAGATION_UNSUPPORTED);
                toProxy(from, ConnectorSession.principalsUnsupported(proxyStreamId, older.version()));
                return;
            }
        }
        if (session == null) {
            recordOpenFailure(Reason.NO_SESSION);
            toProxy(
                    from,
                    new Frame.OpenFail(
                            proxyStreamId,
                            Reason.NO_SESSION,
                            "no connector connected for subaccount " + subaccount + " and location "
                                    + (location.isEmpty() ? "(default)" : location)));
            return;
        }
        session.context().emit(openFrame, encoded -> session.openFromProxy(from, proxyStreamId, encoded));
    }

    /** The least loaded active session for the key that speaks {@code minVersion} or later, or null. */
    private ConnectorSession pick(SessionKey key, int minVersion) {
        Set<ConnectorSession> candidates = sessions.get(key);
        if (candidates == null) {
            return null;
        }
        ConnectorSession best = null;
        for (ConnectorSession candidate : candidates) {
            if (candidate.state() == ConnectorSession.State.ACTIVE
                    && candidate.version() >= minVersion
                    && (best == null || candidate.streamCount() < best.streamCount())) {
                best = candidate;
            }
        }
        return best;
    }

    // ---- links -------------------------------------------------------------------------------

    boolean linkOpened(Link link) {
        return links.putIfAbsent(link.busKey(), link) == null;
    }

    void linkClosed(Link link) {
        links.remove(link.busKey(), link);
    }

    private void proxyNodeLeft(String nodeId) {
        String address = BusAddresses.proxyNode(nodeId);
        List<Link> orphaned = new ArrayList<>();
        for (Link link : links.values()) {
            if (link.proxyAddress.equals(address)) {
                orphaned.add(link);
            }
        }
        if (!orphaned.isEmpty()) {
            LOG.infof("proxy-service node %s left: resetting %d streams", nodeId, orphaned.size());
        }
        for (Link link : orphaned) {
            link.session.context().runOnContext(v -> link.session.proxyGone(link));
        }
    }

    void toProxy(String address, Frame frame) {
        toProxy(address, FrameCodec.encode(frame));
    }

    void toProxy(String address, byte[] frame) {
        toProxy(address, Buffer.buffer(frame));
    }

    void toProxy(String address, Buffer frame) {
        vertx.eventBus().send(address, frame, fromThisNode);
    }

    // ---- metrics -----------------------------------------------------------------------------

    void countBytes(int length, boolean toConnector) {
        metrics.bytes(length, toConnector);
    }

    void recordOpenFailure(Reason reason) {
        metrics.openFailure(reason);
    }

    void recordChannelRefusal(Reason reason) {
        metrics.channelRefused(reason);
    }
}
