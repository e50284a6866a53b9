package io.connectivityproxy.tunnel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.connectivityproxy.tunnel.channel.TenantMode;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** tunnel-service configuration (prefix {@code tunnel}). */
@ConfigMapping(prefix = "tunnel")
public interface TunnelSettings {

    /** Address the tunnel endpoint listens on. */
    @WithDefault("0.0.0.0")
    String host();

    /** Port of the tunnel endpoint (WebSocket at {@code /tunnel}, {@code GET /healthcheck}). */
    @WithDefault("8042")
    int port();

    Tls tls();

    /**
     * The {@code wss://} URL at which connectors reach this replica, through the gateway (e.g.
     * {@code wss://cp.example.com:443/tunnel/cp-tunnel-0}; the operator sets it per pod). When set,
     * the replica is announced in the cluster's replica directory and every connector session of
     * protocol version 4 is told the replicas and their URLs, so each connector holds a session to
     * every replica instead of reaching them by a load balancer's luck. The tunnel WebSocket is
     * also accepted at this URL's path. Unset: this replica is not announced.
     */
    Optional<String> replicaUrl();

    /**
     * Trust the {@code X-Forwarded-Client-Cert} header for the connector's identity. Only for a
     * deployment behind an ingress gateway that terminates mutual TLS and sets the header itself.
     */
    @WithDefault("false")
    boolean trustForwardedClientCert();

    /** Most streams one connector session may carry at once; further OPENs get TOO_MANY_STREAMS. */
    @WithDefault("10000")
    int maxStreamsPerSession();

    /** How often each side pings the other, and how often the idle timeout is checked. */
    @WithDefault("2s")
    Duration pingInterval();

    /**
     * A session that sent nothing (not even a PONG) for this long is dead: with the 2 s pings, a
     * half-open session is closed 6-8 s after its last frame, after three pings lost in a row.
     */
    @WithDefault("6s")
    Duration idleTimeout();

    /** Time a connector has to send HELLO after the WebSocket opened. */
    @WithDefault("10s")
    Duration handshakeTimeout();

    /** On shutdown, how long open streams may take to finish after GOAWAY. */
    @WithDefault("10s")
    Duration drainTimeout();

    /** Service channels: streams the connector opens to a service of the cluster (ServiceMapping resources). */
    ServiceChannels serviceChannels();

    interface Tls {
        /** Terminate TLS on the tunnel port and require a client certificate (mutual TLS). */
        @WithDefault("true")
        boolean enabled();

        /** PEM certificate chain of the tunnel endpoint; generated when absent and dev certificates are on. */
        Optional<Path> certificate();

        /** PEM (PKCS#8) private key of the tunnel endpoint. */
        Optional<Path> key();

        /** PEM CA certificate(s) that sign connector client certificates. */
        Optional<Path> clientCa();

        /**
         * Directory for development certificates: when set and empty, a CA, a server certificate
         * for localhost and a connector client certificate are generated there on first start.
         */
        Optional<Path> devCertificatesDir();

        /** Subaccount id written into the generated connector certificate. */
        @WithDefault("dev-subaccount")
        String devSubaccount();

        /**
         * Use BoringSSL (netty-tcnative) instead of the JDK's TLS engine where the platform has a
         * build of it (Linux and macOS on x86-64 and ARM64, Windows on x86-64); false keeps the
         * JDK's engine, e.g. for a FIPS-certified JDK provider.
         */
        @WithDefault("true")
        boolean openssl();
    }

    /**
     * Service channels ({@code tunnel.service-channels.*}): on-premise clients reach a service in
     * the cluster through the connector, which opens a stream naming a service id; the
     * ServiceMapping of the connector's subaccount with that id and type says where it goes.
     * ServiceMappings come from {@link #mappingsFile()} or, exclusively, from the Kubernetes API
     * ({@link #kubernetes()}); with neither there are none.
     */
    interface ServiceChannels {
        /** Accept service channels at all; false refuses every open with SERVICE_CHANNELS_DISABLED. */
        @WithDefault("true")
        boolean enabled();

        /**
         * YAML file of ServiceMapping resources, as {@code kubectl apply -f} takes them (documents
         * separated by {@code ---}, or a {@code kind: List}); checked for changes every
         * {@link #pollInterval()}. A missing file means no mappings; a file that
         * cannot be parsed leaves the mappings read before in force.
         */
        Optional<Path> mappingsFile();

        /**
         * Watch ServiceMapping resources ({@code servicemappings.connectivityproxy.sap.com/v1},
         * cluster-scoped) through the Kubernetes API; needs get, list and watch on them. Not
         * together with {@link #mappingsFile()}.
         */
        @WithDefault("false")
        boolean kubernetes();

        /**
         * {@code dedicated}: a mapping without {@code spec.subaccountId} belongs to
         * {@link #defaultSubaccount()}; {@code shared}: every mapping must name its subaccount.
         */
        @WithDefault("dedicated")
        TenantMode tenantMode();

        /** The installation's subaccount: of the mappings without {@code spec.subaccountId} in dedicated mode. */
        Optional<String> defaultSubaccount();

        /** How often the mappings file is checked for changes. */
        @WithDefault("1s")
        Duration pollInterval();

        /** How long connecting to a mapping's internal address may take before the open fails. */
        @WithDefault("10s")
        Duration connectTimeout();
    }
}
