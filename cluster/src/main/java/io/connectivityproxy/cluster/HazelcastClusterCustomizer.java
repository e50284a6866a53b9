package io.connectivityproxy.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;

import io.quarkus.vertx.VertxOptionsCustomizer;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Gives the Vert.x instance a Hazelcast cluster manager configured from {@link ClusterSettings}:
 * TCP-IP join on the configured members (127.0.0.1 by default) or DNS discovery through a
 * headless Service, never multicast, bound to one interface; and an event bus on a fixed port
 * over mutual TLS ({@link EventBusTls}). Refuses to start without TLS unless it was turned off.
 */
@Singleton
public class HazelcastClusterCustomizer implements VertxOptionsCustomizer {

    private static final Logger LOG = Logger.getLogger(HazelcastClusterCustomizer.class);

    private final ClusterSettings settings;
    private volatile String eventBus = "not started";

    public HazelcastClusterCustomizer(ClusterSettings settings) {
        this.settings = settings;
    }

    @Override
    public void accept(VertxOptions options) {
        EventBusTls tls = EventBusTls.resolve(settings.tls());
        checkPortFree(settings.host(), settings.eventBusPort());
        options.setClusterManager(new HazelcastClusterManager(hazelcastConfig(settings)));
        EventBusOptions bus = options.getEventBusOptions();
        bus.setHost(settings.host()).setPort(settings.eventBusPort());
        tls.apply(bus);
        eventBus = tls.describe();
        if (!tls.enabled()) {
            LOG.warnf(
                    "the cluster event bus on %s:%d runs WITHOUT TLS (cluster.tls.enabled=false): any process that "
                            + "reaches that port can send and receive stream frames",
                    settings.host(), settings.eventBusPort());
        } else if (tls.development()) {
            LOG.warnf(
                    "the cluster event bus on %s:%d uses %s: configure cluster.tls.certificate, cluster.tls.key and "
                            + "cluster.tls.ca for anything but a local trial",
                    settings.host(), settings.eventBusPort(), eventBus);
        } else {
            LOG.infof("the cluster event bus on %s:%d uses %s", settings.host(), settings.eventBusPort(), eventBus);
        }
    }

    /** How the event bus is protected, for readiness. */
    public String eventBus() {
        return eventBus;
    }

    /** Names the setting when the port is taken: Vert.x's own bind error says neither which port nor why. */
    static void checkPortFree(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("cluster.event-bus-port " + port + " on " + host + " is not free ("
                    + e.getMessage() + "): each node on one address needs its own port, 0 takes any free one");
        }
    }

    /** The Hazelcast configuration: Vert.x's own maps and semaphores plus our network settings. */
    static Config hazelcastConfig(ClusterSettings settings) {
        // Starts from vertx-hazelcast's default file, which declares the maps, multimaps and
        // semaphores the event bus needs; only membership and networking change.
        Config config = ConfigUtil.loadConfig();
        config.setClusterName(settings.name());
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        // Only the configured address (the pod IP), not every interface: Hazelcast binds 0.0.0.0 otherwise.
        config.setProperty("hazelcast.socket.bind.any", "false");
        // A dead member is noticed within seconds, so its streams fail fast (design.md section 5): a
        // killed one at once (its connections reset), a frozen or cut-off one after
        // cluster.failure-timeout without a heartbeat, which a member sends every second.
        long failureSeconds = settings.failureTimeout().toSeconds();
        if (failureSeconds < 2) {
            throw new IllegalArgumentException("cluster.failure-timeout: must be at least 2s (members send a"
                    + " heartbeat every second), got " + settings.failureTimeout());
        }
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        if (settings.joinWait().isNegative() || settings.joinWait().toSeconds() > 60) {
            throw new IllegalArgumentException(
                    "cluster.join-wait: must be between 0s and 60s, got " + settings.joinWait());
        }
        config.setProperty(
                "hazelcast.wait.seconds.before.join",
                Long.toString(settings.joinWait().toSeconds()));
        config.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(failureSeconds));
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(settings.port()).setPortAutoIncrement(true).setPortCount(20);
        network.setPublicAddress(settings.host());
        network.getInterfaces().setEnabled(true).addInterface(settings.host());
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (settings.kubernetesServiceDns().isPresent()) {
            join.getTcpIpConfig().setEnabled(false);
            join.getKubernetesConfig()
                    .setEnabled(true)
                    .setProperty("service-dns", settings.kubernetesServiceDns().get());
        } else {
            join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
        }
        return config;
    }
}
