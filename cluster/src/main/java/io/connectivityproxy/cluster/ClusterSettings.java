package io.connectivityproxy.cluster;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How this node finds and joins the Hazelcast cluster that carries the event bus. */
@ConfigMapping(prefix = "cluster")
public interface ClusterSettings {

    /** Address Hazelcast and the event bus bind to and advertise; the pod IP in Kubernetes. */
    @WithDefault("127.0.0.1")
    String host();

    /** First Hazelcast member port to try; the next free one (up to 20 further) is taken. */
    @WithDefault("5701")
    int port();

    /** Members to join over TCP-IP (host or host:port) when Kubernetes discovery is off. */
    @WithDefault("127.0.0.1")
    List<String> members();

    /** DNS name of the headless Service listing the members; turns on Kubernetes discovery. */
    Optional<String> kubernetesServiceDns();

    /** Cluster name: nodes only join a cluster of the same name. */
    @WithDefault("connectivity-proxy")
    String name();
}
