package io.connectivityproxy.proxy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.connectivityproxy.cluster.BusAddresses;
import io.connectivityproxy.cluster.ClusterNode;
import io.connectivityproxy.cluster.ClusterSettings;
import io.connectivityproxy.cluster.FrameMessageCodec;
import io.connectivityproxy.cluster.LivenessTracker;
import io.connectivityproxy.cluster.RouteWarmer;
import io.connectivityproxy.cluster.SessionKey;
import io.connectivityproxy.cluster.SessionRegistry;
import io.connectivityproxy.protocol.PrincipalTokens;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.protocol.WindowBudget;
import io.connectivityproxy.stream.StreamMultiplexer;
import io.connectivityproxy.stream.TunnelStream;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

/**
 * This proxy node's side of the event bus hop: opens streams to the tunnel-service node that
 * holds a session for the request's subaccount and location, and routes the frames coming
 * back to each stream. One address per node; streams are told apart by id, per tunnel node.
 * It also listens to the tunnel nodes' heartbeats: a node gone silent is suspected, gets no new
 * streams, and the streams through it fail, before Hazelcast removes the member.
 */
@Singleton
public class TunnelClient {

    private static final Logger LOG = Logger.getLogger(TunnelClient.class);
    private static final String TUNNEL_PREFIX = BusAddresses.tunnelNode("");

    private final Vertx vertx;
    private final ClusterNode node;
    private final SessionRegistry registry;
    private final ProxySettings settings;
    private final ClusterSettings clusterSettings;
    private final Map<String, StreamMultiplexer> byTunnelNode = new ConcurrentHashMap<>();
    /** Tunnel nodes suspected by the liveness check; read by every event loop when routing. */
    private final Set<String> suspected = ConcurrentHashMap.newKeySet();

    private final AtomicLong suspicions = new AtomicLong();
    /** Owned by {@link #livenessContext}. */
    private LivenessTracker liveness;

    private Context livenessContext;
    private volatile WindowBudget windowBudget;
    private volatile String address;
    private volatile DeliveryOptions fromThisNode;

    public TunnelClient(
            Vertx vertx,
            ClusterNode node,
            SessionRegistry registry,
            ProxySettings settings,
            ClusterSettings clusterSettings) {
        this.vertx = vertx;
        this.node = node;
        this.registry = registry;
        this.settings = settings;
        this.clusterSettings = clusterSettings;
    }

    /** Joins the hop: listens on this node's address, watches tunnel nodes leave. Blocking. */
    void start() {
        windowBudget = new WindowBudget(settings.windowBudget());
        registry.start();
        address = BusAddresses.proxyNode(node.nodeId());
        FrameMessageCodec.register(vertx.eventBus());
        fromThisNode =
                new DeliveryOptions().setCodecName(FrameMessageCodec.NAME).addHeader(BusAddresses.FROM, address);
        vertx.eventBus().<Buffer>consumer(address, this::fromTunnel);
        node.onMemberLeft(this::tunnelNodeLeft);
        // Tunnel-service nodes answer a probe; any version drops one without a reply address.
        new RouteWarmer(vertx, node, BusAddresses::tunnelNode, Map.of(BusAddresses.PROBE, "route")).start();
        watchLiveness();
        LOG.infof("proxy-service node %s receives streams on %s", node.nodeId(), address);
    }

    /** Heartbeats and the checks of their silence run on one context, which owns the tracker. */
    private void watchLiveness() {
        Duration interval = clusterSettings.livenessInterval();
        Duration checkPeriod = interval.dividedBy(2);
        liveness = new LivenessTracker(interval, clusterSettings.livenessTimeout(), checkPeriod, System::nanoTime);
        livenessContext = vertx.getOrCreateContext();
        livenessContext.runOnContext(v -> {
            vertx.eventBus().<String>consumer(BusAddresses.TUNNEL_HEARTBEAT, message -> heard(message.body()));
            vertx.setPeriodic(checkPeriod.toMillis(), timer -> checkLiveness());
        });
    }

    private void heard(String tunnelNode) {
        // A late heartbeat of a node that has left must not start tracking it again.
        if (tunnelNode == null || !node.members().contains(tunnelNode)) {
            return;
        }
        if (liveness.heard(tunnelNode) && suspected.remove(tunnelNode)) {
            LOG.infof("tunnel-service node %s is heard again: routing streams to it again", tunnelNode);
        }
    }

    private void checkLiveness() {
        for (String tunnelNode : liveness.check()) {
            suspected.add(tunnelNode);
            suspicions.incrementAndGet();
            StreamMultiplexer streams = byTunnelNode.get(tunnelNode);
            int open = streams == null ? 0 : streams.size();
            LOG.warnf(
                    "tunnel-service node %s silent for %d ms: suspected, no new streams go there; failing %d"
                            + " streams",
                    tunnelNode, liveness.silentMillis(tunnelNode), open);
            if (streams != null) {
                streams.abandonAll(Reason.SESSION_LOST, "the tunnel-service node holding the session went silent");
            }
        }
    }

    /** Live tunnel-service nodes with a session for {@code key}, suspected ones left out; empty means no connector. */
    List<String> nodesFor(SessionKey key) {
        List<String> nodes = registry.nodesFor(key);
        if (suspected.isEmpty()) {
            return nodes;
        }
        return nodes.stream().filter(id -> !suspected.contains(id)).toList();
    }

    /** Picks one of the nodes holding a session for the key (not a suspected one), or null. */
    String pickNode(SessionKey key) {
        List<String> nodes = nodesFor(key);
        if (nodes.isEmpty()) {
            return null;
        }
        return nodes.get(nodes.size() == 1 ? 0 : ThreadLocalRandom.current().nextInt(nodes.size()));
    }

    /** Opens a stream through {@code tunnelNode}; it runs on {@code context}. */
    TunnelStream open(
            Context context,
            String tunnelNode,
            SessionKey key,
            TargetProtocol protocol,
            String host,
            int port,
            byte[] head) {
        return open(context, tunnelNode, key, protocol, host, port, head, PrincipalTokens.NONE);
    }

    /** The same, carrying the tokens of a user to propagate (protocol version 3). */
    TunnelStream open(
            Context context,
            String tunnelNode,
            SessionKey key,
            TargetProtocol protocol,
            String host,
            int port,
            byte[] head,
            PrincipalTokens principals) {
        String target = BusAddresses.tunnelNode(tunnelNode);
        StreamMultiplexer streams = byTunnelNode.computeIfAbsent(
                tunnelNode,
                id -> new StreamMultiplexer(
                        frame -> vertx.eventBus().send(target, frame, fromThisNode),
                        1,
                        settings.window(),
                        settings.maxWindow(),
                        windowBudget,
                        settings.chunkSize()));
        DeliveryOptions openOptions = new DeliveryOptions()
                .setCodecName(FrameMessageCodec.NAME)
                .addHeader(BusAddresses.FROM, address)
                .addHeader(BusAddresses.SUBACCOUNT, key.subaccount())
                .addHeader(BusAddresses.LOCATION, key.locationId());
        return streams.open(context, protocol, host, port, head, principals, frame -> vertx.eventBus()
                .send(target, frame, openOptions));
    }

    /** Streams open through this node, per tunnel-service node (admin endpoint). */
    Map<String, Integer> openStreams() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        byTunnelNode.forEach((id, streams) -> counts.put(id, streams.size()));
        return counts;
    }

    /** The window growth streams may still take, bytes; NaN before {@link #start()}. */
    double windowBudgetAvailable() {
        WindowBudget budget = windowBudget;
        return budget == null ? Double.NaN : budget.available();
    }

    /** All window growth granted so far, bytes. */
    double windowGrowthTotal() {
        WindowBudget budget = windowBudget;
        return budget == null ? 0 : budget.grantedTotal();
    }

    /** Tunnel nodes suspected now (silent, still members), for admin views and the gauge. */
    Set<String> suspectedNodes() {
        return Set.copyOf(suspected);
    }

    /** How many times a tunnel node was suspected since start. */
    double suspicionsTotal() {
        return suspicions.get();
    }

    int totalOpenStreams() {
        int total = 0;
        for (StreamMultiplexer streams : byTunnelNode.values()) {
            total += streams.size();
        }
        return total;
    }

    private void fromTunnel(Message<Buffer> message) {
        String from = message.headers().get(BusAddresses.FROM);
        if (from == null || !from.startsWith(TUNNEL_PREFIX)) {
            return;
        }
        StreamMultiplexer streams = byTunnelNode.get(from.substring(TUNNEL_PREFIX.length()));
        if (streams == null) {
            return;
        }
        try {
            streams.dispatch(message.body());
        } catch (ProtocolException e) {
            LOG.warnf("dropped a malformed frame from %s: %s", from, e.getMessage());
        }
    }

    private void tunnelNodeLeft(String nodeId) {
        if (livenessContext != null) {
            livenessContext.runOnContext(v -> {
                liveness.forget(nodeId);
                suspected.remove(nodeId);
            });
        }
        StreamMultiplexer streams = byTunnelNode.remove(nodeId);
        if (streams != null && streams.size() > 0) {
            LOG.infof("tunnel-service node %s left: failing %d streams", nodeId, streams.size());
            streams.loseAll(Reason.SESSION_LOST, "the tunnel-service node holding the session left the cluster");
        }
    }
}
