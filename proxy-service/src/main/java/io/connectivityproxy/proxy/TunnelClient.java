package io.connectivityproxy.proxy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.connectivityproxy.cluster.BusAddresses;
import io.connectivityproxy.cluster.ClusterNode;
import io.connectivityproxy.cluster.FrameMessageCodec;
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
 */
@Singleton
public class TunnelClient {

    private static final Logger LOG = Logger.getLogger(TunnelClient.class);
    private static final String TUNNEL_PREFIX = BusAddresses.tunnelNode("");

    private final Vertx vertx;
    private final ClusterNode node;
    private final SessionRegistry registry;
    private final ProxySettings settings;
    private final Map<String, StreamMultiplexer> byTunnelNode = new ConcurrentHashMap<>();
    private volatile WindowBudget windowBudget;
    private volatile String address;
    private volatile DeliveryOptions fromThisNode;

    public TunnelClient(Vertx vertx, ClusterNode node, SessionRegistry registry, ProxySettings settings) {
        this.vertx = vertx;
        this.node = node;
        this.registry = registry;
        this.settings = settings;
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
        LOG.infof("proxy-service node %s receives streams on %s", node.nodeId(), address);
    }

    /** Live tunnel-service nodes with a session for {@code key}; empty means no connector. */
    List<String> nodesFor(SessionKey key) {
        return registry.nodesFor(key);
    }

    /** Picks one of the nodes holding a session for the key, or null. */
    String pickNode(SessionKey key) {
        List<String> nodes = registry.nodesFor(key);
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
        StreamMultiplexer streams = byTunnelNode.remove(nodeId);
        if (streams != null && streams.size() > 0) {
            LOG.infof("tunnel-service node %s left: failing %d streams", nodeId, streams.size());
            streams.loseAll(Reason.SESSION_LOST, "the tunnel-service node holding the session left the cluster");
        }
    }
}
