package io.connectivityproxy.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;

import io.quarkus.vertx.VertxOptionsCustomizer;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import jakarta.inject.Singleton;

/**
 * Gives the Vert.x instance a Hazelcast cluster manager configured from {@link ClusterSettings}:
 * TCP-IP join on the configured members (127.0.0.1 by default) or DNS discovery through a
 * headless Service, never multicast, bound to one interface.
 */
@Singleton
public class HazelcastClusterCustomizer implements VertxOptionsCustomizer {

    private final ClusterSettings settings;

    public HazelcastClusterCustomizer(ClusterSettings settings) {
        this.settings = settings;
    }

    @Override
    public void accept(VertxOptions options) {
        options.setClusterManager(new HazelcastClusterManager(hazelcastConfig(settings)));
        options.getEventBusOptions().setHost(settings.host());
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
        // A dead member is noticed within seconds, so its streams fail fast (design.md section 5).
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(settings.port()).setPortAutoIncrement(true).setPortCount(20);
        network.setPublicAddress(settings.host());
        network.getInterfaces().setEnabled(true).addInterface(settings.host());
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (settings.kubernetesServiceDns().isPresent()) {
            join.getTcpIpConfig().setEnabled(false);
            join.getKubernetesConfig().setEnabled(true)
                    .setProperty("service-dns", settings.kubernetesServiceDns().get());
        } else {
            join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
        }
        return config;
    }
}
