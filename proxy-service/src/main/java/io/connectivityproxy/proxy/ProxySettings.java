package io.connectivityproxy.proxy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** proxy-service configuration (prefix {@code proxy}). */
@ConfigMapping(prefix = "proxy")
public interface ProxySettings {

    /** Address the proxy ports listen on. */
    @WithDefault("0.0.0.0")
    String host();

    /**
     * Subaccount whose connectors serve requests (single tenant, trusted mode: no token needed,
     * the subaccount is fixed by configuration).
     */
    @WithDefault("dev-subaccount")
    String subaccount();

    /**
     * {@code dedicated}: every request is for {@link #subaccount()}; {@code shared}: the subaccount
     * comes from the request's token (Proxy-Authorization with proxy authorization on, else the
     * SAP-CP-Connectivity-Service-Token header), as in SAP's multi-tenant modes.
     */
    @WithDefault("dedicated")
    String tenantMode();

    /** Token validation for the servers with proxy authorization on (SAP's non-trusted modes). */
    Authorization authorization();

    Http http();

    /** On shutdown, how long open streams may take to finish before connections are closed. */
    @WithDefault("10s")
    Duration drainTimeout();

    /** How long a stream may wait for the connector's OPEN_OK before the client gets 504. */
    @WithDefault("20s")
    Duration openTimeout();

    /** Credit first granted per stream for data flowing towards the client, bytes. */
    @WithDefault("262144")
    int window();

    /**
     * How far a stream's window may grow, bytes: it doubles while the window is what holds the
     * stream back and the client keeps up. Set it to {@link #window()} for fixed windows.
     */
    @WithDefault("4194304")
    int maxWindow();

    /**
     * Window growth all streams of this process may hold together, bytes: the memory streams can
     * pin is at most streams × window + this.
     */
    @WithDefault("67108864")
    long windowBudget();

    /** Largest DATA payload sent into the tunnel, bytes. */
    @WithDefault("65536")
    int chunkSize();

    /** SOCKS5 (SAP's port 20004): CONNECT to connector mappings of protocol TCP. */
    Socks socks5();

    /** RFC and LDAP (SAP's port 20001): the SOCKS5 handshake, for mappings of protocol RFC or LDAP. */
    @WithDefault("20001")
    @io.smallrye.config.WithName("rfc-and-ldap.port")
    int rfcAndLdapPort();

    /** Serve port 20001. */
    @WithDefault("true")
    @io.smallrye.config.WithName("rfc-and-ldap.enabled")
    boolean rfcAndLdapEnabled();

    /** A SOCKS5 client must finish its handshake within this time (slow clients are cut off). */
    @WithDefault("10s")
    Duration socksHandshakeTimeout();

    /** Require a valid JWT (SOCKS5 method 0x80) on port 20001. */
    @WithDefault("false")
    @io.smallrye.config.WithName("rfc-and-ldap.authorization-enabled")
    boolean rfcAndLdapAuthorizationEnabled();

    interface Authorization {
        /** The OAuth client id tokens must carry ({@code client_id}, else {@code azp}, else {@code cid}). */
        Optional<String> allowedClientId();

        /** Token issuers ({@code iss}) accepted, e.g. https://sub.authentication.eu10.hana.ondemand.com/oauth/token. */
        Optional<List<String>> issuers();

        /**
         * Where the issuers' signing keys (JWKS) are; default per issuer: the issuer without a
         * trailing {@code /oauth/token}, plus {@code /token_keys} (XSUAA's layout).
         */
        Optional<String> jwksUrl();

        /** PEM CA certificate(s) trusted for the JWKS endpoint; default: the JVM's trust store. */
        Optional<Path> trustCa();

        /** Tolerance for exp, nbf and iat. */
        @WithDefault("30s")
        Duration clockSkew();

        /** How often the keys are fetched again (rotation); a failed fetch keeps the keys in force. */
        @WithDefault("10m")
        Duration jwksRefreshInterval();

        /** At most one extra fetch per this interval for a token whose key id is unknown. */
        @WithDefault("10s")
        Duration jwksMinRefreshInterval();
    }

    interface Socks {
        /** Serve SOCKS5. */
        @WithDefault("true")
        boolean enabled();

        /** Require a valid JWT (method 0x80); method 0x00 is then refused. */
        @WithDefault("false")
        boolean authorizationEnabled();

        /** Port of the SOCKS5 proxy. */
        @WithDefault("20004")
        int port();
    }

    interface Http {
        /** Serve the HTTP proxy. */
        @WithDefault("true")
        boolean enabled();

        /** Require a valid JWT in Proxy-Authorization: Bearer; requests without one get 407. */
        @WithDefault("false")
        boolean authorizationEnabled();

        /** Port of the HTTP proxy (SAP's 20003). */
        @WithDefault("20003")
        int port();

        /** Largest request head (request line and header fields together) accepted; beyond it the client gets 431. */
        @WithDefault("8192")
        int maxHeaderSize();

        /** Close client connections idle for this long. */
        @WithDefault("120s")
        Duration idleTimeout();

        /**
         * After a response that came before the end of its request body (a backend that answered
         * an upload early), how long the rest of the body is still passed on or drained before the
         * connection closes (nginx's lingering_time).
         */
        @WithDefault("30s")
        Duration lingeringTime();

        /**
         * How long a closing connection, or one lingering after an early response, may stay
         * without sending a byte before it is closed (nginx's lingering_timeout).
         */
        @WithDefault("5s")
        Duration lingeringTimeout();
    }
}
