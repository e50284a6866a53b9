package io.connectivityproxy.cluster;

import java.nio.file.Path;
import java.time.Duration;
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

    /**
     * Port of the event bus, which carries the stream frames between nodes; fixed so that a
     * NetworkPolicy can name it. 0 takes any free port (several nodes on one address).
     */
    @WithDefault("5710")
    int eventBusPort();

    /** Members to join over TCP-IP (host or host:port) when Kubernetes discovery is off. */
    @WithDefault("127.0.0.1")
    List<String> members();

    /**
     * How long a member may send no heartbeat (one a second) before the others declare it dead and
     * fail the streams through it: a frozen or cut-off node; a killed one is noticed at once, as its
     * connections reset. Whole seconds, at least 2. 3 s removed a member that was still joining on
     * a loaded 2-core machine; 5 s keeps the margin.
     */
    @WithDefault("5s")
    Duration failureTimeout();

    /**
     * How long the oldest member waits after a join request for more before it admits the joiners
     * together (Hazelcast's hazelcast.wait.seconds.before.join, 5 s by its default). Whole
     * seconds; a replica is ready this much sooner than with Hazelcast's default, and joiners
     * within the same second are still admitted together.
     */
    @WithDefault("1s")
    Duration joinWait();

    /**
     * How often each tunnel-service publishes its heartbeat on the event bus, which proxy-service
     * nodes watch ({@link LivenessTracker}). At least 100ms.
     */
    @WithDefault("500ms")
    Duration livenessInterval();

    /**
     * Silence after which proxy-service suspects a tunnel-service node that was beating: it stops
     * routing streams there and fails the streams through it, before {@link #failureTimeout()}
     * removes the member. At least three intervals; a frozen replica's streams fail after about
     * this long plus a quarter interval.
     */
    @WithDefault("3s")
    Duration livenessTimeout();

    /** DNS name of the headless Service listing the members; turns on Kubernetes discovery. */
    Optional<String> kubernetesServiceDns();

    /** Cluster name: nodes only join a cluster of the same name. */
    @WithDefault("connectivity-proxy")
    String name();

    /** Mutual TLS of the event bus ({@code cluster.tls.*}). */
    Tls tls();

    /**
     * Every event bus connection is mutual TLS with certificates of the installation's cluster
     * CA: a process without one can neither send nor receive stream frames. Either the three
     * files or the development directory must be set, or TLS turned off explicitly.
     */
    interface Tls {
        /** Run the event bus over mutual TLS; false only where something else protects its port. */
        @WithDefault("true")
        boolean enabled();

        /** PEM certificate (chain) of this member, signed by the cluster CA. */
        Optional<Path> certificate();

        /** PEM (PKCS#8) private key of {@link #certificate()}. */
        Optional<Path> key();

        /** PEM CA certificate(s) of the cluster: the only issuers a member trusts. */
        Optional<Path> ca();

        /**
         * Directory for a development cluster CA and member certificate, created on first start
         * and shared by every node started with the same directory; used when the three files
         * above are not set.
         */
        Optional<Path> devCertificatesDir();

        /**
         * Use BoringSSL (netty-tcnative) instead of the JDK's TLS engine where the platform has a
         * build of it; false keeps the JDK's engine, e.g. for a FIPS-certified JDK provider.
         */
        @WithDefault("true")
        boolean openssl();
    }
}
