package io.connectivityproxy.connector;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The connector's configuration file (YAML). Read by {@link ConfigLoader}, which applies the
 * defaults documented here and rejects a bad file with one message naming the field.
 */
@RegisterForReflection
public record ConnectorConfig(
        /** Where and how to reach tunnel-service. */
        @JsonProperty(required = true) Tunnel tunnel,
        /** Subaccount this connector serves; must equal the CN of its client certificate. */
        @JsonProperty(required = true) String subaccount,
        /** Location id (empty = the default location); selects this connector in requests. */
        String locationId,
        /** Name of this connector in audit logs; defaults to the host name. */
        String connectorId,
        /** Parallel WebSocket sessions to open (spreads load, survives one dropping). */
        Integer sessions,
        /** Reconnect backoff after a failure. */
        Reconnect reconnect,
        /** Flow control and framing. */
        Streams streams,
        /** TLS towards HTTPS backends. */
        BackendTls backendTls,
        /** The access control list: the only backends this connector ever connects to. */
        @JsonProperty(required = true) List<Mapping> accessControl,
        /** Service channels: local ports through which on-premise clients reach cluster services. */
        List<ServiceChannel> serviceChannels,
        /** Principal propagation: trusted issuers, subject rules, and the CA of user certificates. */
        PrincipalPropagation principalPropagation) {

    @RegisterForReflection
    public record Tunnel(
            /** WebSocket URL of tunnel-service, e.g. wss://cp.example.com:443/tunnel. */
            @JsonProperty(required = true) String url,
            /** PEM client certificate (chain) issued by the installation's connector CA. */
            @JsonProperty(required = true) String certificate,
            /** PEM (PKCS#8) private key of the client certificate. */
            @JsonProperty(required = true) String key,
            /** PEM CA certificate(s) to verify tunnel-service's server certificate. */
            @JsonProperty(required = true) String ca,
            /** How often to ping tunnel-service; default 5s. */
            Duration pingInterval,
            /** The session is dead after this long without any frame; default 15s. */
            Duration idleTimeout,
            /** TCP+TLS+WebSocket connect timeout; default 10s. */
            Duration connectTimeout,
            /** TLS in BoringSSL where the platform has it (JVM builds); false keeps the JDK's engine; default true. */
            Boolean openssl,
            /**
             * Tunnel protocol version to speak: 3 (default), 2 for a tunnel-service that predates
             * principal propagation, or 1 for one that predates service channels.
             */
            Integer protocolVersion) {}

    @RegisterForReflection
    public record Reconnect(
            /** First backoff ceiling; default 1s. */
            Duration initialDelay,
            /** Cap of the backoff ceiling; default 30s. */
            Duration maxDelay,
            /**
             * How long after losing an established session the connector retries quickly; default
             * 60s, 0s switches the fast phase off.
             */
            Duration fastPhase,
            /** Longest delay of the fast phase (delays are uniform in [fastMaxDelay / 6, fastMaxDelay]); default 1500ms. */
            Duration fastMaxDelay) {}

    @RegisterForReflection
    public record Streams(
            /** Credit first granted to the peer per stream, bytes; default 262144. */
            Integer window,
            /** How far a stream's window may grow while it limits the stream, bytes; default 4194304. */
            Integer maxWindow,
            /** Window growth all streams may hold together, bytes; default 67108864. */
            Long windowBudget,
            /** Largest DATA payload sent, bytes; default 65536. */
            Integer chunkSize,
            /** Backend connect timeout; default 10s. */
            Duration backendConnectTimeout) {}

    @RegisterForReflection
    public record BackendTls(
            /** PEM CA certificate(s) trusted for HTTPS backends; default: the JVM's trust store. */
            String ca,
            /** Verify the backend host name against its certificate; default true. */
            Boolean verifyHost) {}

    /** One allowed backend: a virtual host:port the cloud side uses, and where it really is. */
    @RegisterForReflection
    public record Mapping(
            @JsonProperty(required = true) String virtualHost,
            /** A port, or for TCP, RFC and LDAP a range "first-last" (e.g. 3300-3399). */
            @JsonProperty(required = true) String virtualPort,
            @JsonProperty(required = true) String internalHost,
            /** A port; for a range, its first port, or a range of the same length. */
            @JsonProperty(required = true) String internalPort,
            /** HTTP, HTTPS, TCP, RFC or LDAP. */
            @JsonProperty(required = true) String protocol,
            /** HTTP(S) only: allowed paths; default: everything under "/". */
            List<PathRule> paths,
            /** HTTP(S) only: VIRTUAL (send the virtual host) or INTERNAL (internal host + X-Forwarded-Host). */
            String hostHeader,
            /** HTTP(S) only: X509 (a certificate for the propagated user) or NONE (default). */
            String principalPropagation) {}

    /** SAP's principal propagation: whose tokens are trusted and what certificates they become. */
    @RegisterForReflection
    public record PrincipalPropagation(
            /** Identity providers whose tokens are accepted; at least one. */
            List<TrustedIssuer> trustedIssuers,
            /** Tolerance for exp, nbf and iat; default 30s. */
            Duration clockTolerance,
            /** Ordered subject rules; the first that applies wins; default [CN=${name}]. */
            List<SubjectRule> subjectRules,
            /** Validity of a user certificate in minutes; default 10. */
            Integer certificateValidityMinutes,
            /** EC (P-256, default) or RSA (2048) keys for user certificates. */
            String keyAlgorithm,
            /** The CA that signs user certificates. */
            SigningCa ca) {}

    /** An identity provider: its iss and where its signing keys are. */
    @RegisterForReflection
    public record TrustedIssuer(
            /** The iss claim of its tokens, exactly. */
            String issuer,
            /** https:// URL of its JWKS (e.g. XSUAA's .../token_keys); or keyFile. */
            String jwksUrl,
            /** A JWKS document, a PEM public key or a PEM certificate; or jwksUrl. */
            String keyFile,
            /** PEM CA certificate(s) for the JWKS endpoint; default: the JVM's trust store. */
            String trustCa) {}

    /** A subject pattern like CN=${name}, optionally only for one user type. */
    @RegisterForReflection
    public record SubjectRule(
            String subject,
            /** Business or Technical; default: both. */
            String userType) {}

    /** PEM files of the CA that signs user certificates. */
    @RegisterForReflection
    public record SigningCa(
            String certificate,
            /** PKCS#8 PEM private key. */
            String key,
            /** Create both files when neither exists (local use); default false. */
            Boolean generate) {}

    /**
     * A service channel: on-premise clients connect to {@code localHost:localPort} and reach the
     * cluster service the installation's ServiceMapping for {@code serviceId} names.
     */
    @RegisterForReflection
    public record ServiceChannel(
            /** The ServiceMapping's endpoint as its status shows it, e.g. tcp://cp.example.com:443/erp-events. */
            String endpoint,
            /** The ServiceMapping's spec.serviceId; taken from the endpoint when that is given. */
            String serviceId,
            /** TCP or RFC, as the ServiceMapping's spec.type; taken from the endpoint when that is given. */
            String type,
            /** Address to listen on; default 127.0.0.1 (only this host's clients). */
            String localHost,
            Integer localPort,
            /** Most client connections open at once through this channel; default 100. */
            Integer maxConnections,
            /** False keeps the entry without listening; default true. */
            Boolean enabled) {}

    /** An allowed path: exactly {@code path}, or {@code path} and everything below it. */
    @RegisterForReflection
    public record PathRule(
            @JsonProperty(required = true) String path,
            /** Also every path below {@code path}; default true. */
            Boolean includeSubPaths,
            /** Requests may ask for a protocol upgrade (WebSocket); default false. */
            Boolean upgradeAllowed) {}
}
