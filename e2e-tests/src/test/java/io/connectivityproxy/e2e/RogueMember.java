package io.connectivityproxy.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.multimap.MultiMap;

import io.connectivityproxy.cluster.CertificateAuthority;
import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.TargetProtocol;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * A stranger in the cluster, run by {@link RogueMemberIT} as a JVM of its own. It knows what any
 * reader of this repository knows: the cluster name, the member list, the registry's map name
 * and format, the bus addresses, the frame format and the probe. It joins Hazelcast, runs a
 * Vert.x event bus over TLS with a certificate of a CA of its own (trusting every server),
 * listens on its tunnel and proxy addresses, answers probes, puts fake sessions into the
 * registry, and every second tries to send a forged OPEN and a probe to each real
 * tunnel-service node. Of this project's code it uses only the development CA (for a CA of its
 * own) and the frame codec. On stdout:
 *
 * <pre>
 * ROGUE joined node=&lt;its node id&gt;
 * ROGUE registered &lt;registry key&gt; ...
 * ROGUE received &lt;n&gt; on &lt;address&gt;          (every message that reaches it)
 * ROGUE status received=&lt;n&gt; sent=&lt;n&gt; answered=&lt;n&gt;   (every second)
 * </pre>
 *
 * Arguments: cluster name, comma-separated members, first Hazelcast port, certificate
 * directory, subaccount, then the location ids to register fake sessions for.
 */
public final class RogueMember {

    private static final String REGISTRY = "cp.sessions";
    private static final AtomicInteger RECEIVED = new AtomicInteger();
    private static final AtomicInteger SENT = new AtomicInteger();
    private static final AtomicInteger ANSWERED = new AtomicInteger();

    private RogueMember() {}

    public static void main(String[] args) throws Exception {
        String clusterName = args[0];
        List<String> members = List.of(args[1].split(","));
        int port = Integer.parseInt(args[2]);
        Path certs = Path.of(args[3]);
        String subaccount = args[4];
        List<String> locations = List.of(args).subList(5, args.length);

        HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast(clusterName, members, port));
        CertificateAuthority own = CertificateAuthority.create("rogue CA");
        own.issueMember("rogue member").write(certs, "rogue");
        EventBusOptions eventBus = new EventBusOptions()
                .setHost("127.0.0.1")
                .setPort(0)
                .setSsl(true)
                .setTrustAll(true)
                .setClientAuth(ClientAuth.NONE)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(certs.resolve("rogue.pem").toString())
                        .setKeyPath(certs.resolve("rogue-key.pem").toString()));
        Vertx vertx = Vertx.clusteredVertx(
                        new VertxOptions().setClusterManager(manager).setEventBusOptions(eventBus))
                .toCompletionStage()
                .toCompletableFuture()
                .get();
        String nodeId = manager.getNodeId();
        System.out.println("ROGUE joined node=" + nodeId);

        for (String address : List.of("cp.tunnel." + nodeId, "cp.proxy." + nodeId)) {
            vertx.eventBus().<Buffer>consumer(address, message -> received(address, message, nodeId));
        }
        MultiMap<String, String> registry = manager.getHazelcastInstance().getMultiMap(REGISTRY);
        StringBuilder registered = new StringBuilder("ROGUE registered");
        for (String location : locations) {
            registry.put(
                    subaccount + "|" + location,
                    nodeId + "|rogue-session-" + (location.isEmpty() ? "default" : location));
            registered
                    .append(" '")
                    .append(subaccount)
                    .append('|')
                    .append(location)
                    .append('\'');
        }
        System.out.println(registered);

        vertx.setPeriodic(
                1000,
                t -> vertx.executeBlocking(
                        () -> {
                            attack(vertx, nodeId, realNodes(registry, nodeId), subaccount);
                            return null;
                        },
                        false));
    }

    private static Config hazelcast(String clusterName, List<String> members, int port) {
        Config config = ConfigUtil.loadConfig();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(true).setPortCount(20);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(members);
        return config;
    }

    private static void received(String address, Message<Buffer> message, String nodeId) {
        System.out.println("ROGUE received " + RECEIVED.incrementAndGet() + " on " + address);
        String nonce = message.headers().get("probe");
        if (nonce != null) {
            message.reply(Buffer.buffer(nodeId + "|" + nonce));
        }
    }

    /** The node ids of the registry's other entries: the real tunnel-service nodes. */
    private static Set<String> realNodes(MultiMap<String, String> registry, String nodeId) {
        Set<String> nodes = new TreeSet<>();
        for (Map.Entry<String, String> entry : registry.entrySet()) {
            String owner =
                    entry.getValue().substring(0, Math.max(0, entry.getValue().indexOf('|')));
            if (!owner.isEmpty() && !owner.equals(nodeId)) {
                nodes.add(owner);
            }
        }
        return nodes;
    }

    /** A forged OPEN for the backend behind the real session, and a probe, to each real node. */
    private static void attack(Vertx vertx, String nodeId, Set<String> realNodes, String subaccount) {
        byte[] head = "GET /from-rogue HTTP/1.1\r\nHost: app:8080\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        for (String real : realNodes) {
            DeliveryOptions open = new DeliveryOptions()
                    .addHeader("from", "cp.proxy." + nodeId)
                    .addHeader("subaccount", subaccount)
                    .addHeader("location", "");
            vertx.eventBus()
                    .send(
                            "cp.tunnel." + real,
                            Buffer.buffer(FrameCodec.encode(
                                    new Frame.Open(1 + SENT.get() * 2, TargetProtocol.HTTP, "app", 8080, 65536, head))),
                            open);
            SENT.incrementAndGet();
            vertx.eventBus()
                    .request(
                            "cp.tunnel." + real,
                            Buffer.buffer(),
                            new DeliveryOptions().addHeader("probe", "rogue").setSendTimeout(900))
                    .onSuccess(reply -> ANSWERED.incrementAndGet());
        }
        System.out.println(
                "ROGUE status received=" + RECEIVED.get() + " sent=" + SENT.get() + " answered=" + ANSWERED.get());
    }
}
