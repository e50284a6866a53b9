package io.connectivityproxy.protocol;

/**
 * Why a stream could not be opened, was reset, or why a session is going away. Carried as one
 * byte in OPEN_FAIL, RST and GOAWAY; proxy-service maps each to the client-facing code of
 * design.md section 3 (HTTP status, SOCKS5 reply).
 */
public enum Reason {
    /** Nothing more specific applies. */
    INTERNAL(0),
    /** The connector has no mapping for the virtual host and port. */
    NO_MAPPING(1),
    /** A mapping exists but does not allow this path. */
    PATH_NOT_ALLOWED(2),
    /** A mapping exists but for another protocol (e.g. an LDAP mapping asked for over SOCKS5). */
    PROTOCOL_NOT_ALLOWED(3),
    /** The backend refused the connection, could not be resolved or did not answer. */
    BACKEND_UNREACHABLE(4),
    /** The backend closed or reset the connection before the exchange was complete. */
    BACKEND_RESET(5),
    /** No connector session for the subaccount and location. */
    NO_SESSION(6),
    /** The session already carries its maximum number of streams. */
    TOO_MANY_STREAMS(7),
    /** The peer sent more than the credit it was given. */
    FLOW_CONTROL_ERROR(8),
    /** The peer sent a malformed or unexpected frame. */
    PROTOCOL_ERROR(9),
    /** The client went away; nothing is wrong with the backend. */
    CANCELLED(10),
    /** The sender is shutting down. */
    SHUTDOWN(11),
    /** Something on the path timed out. */
    TIMEOUT(12),
    /** The session carrying the stream was lost. */
    SESSION_LOST(13),
    /** The handshake was refused (authentication, version). */
    UNAUTHORIZED(14),
    /** Service channels: no ServiceMapping of the session's subaccount has this service id and type. */
    UNKNOWN_SERVICE(15),
    /** Service channels: the mapping exists but is not open to the session's location id. */
    LOCATION_NOT_ALLOWED(16),
    /** Service channels are switched off on this installation. */
    SERVICE_CHANNELS_DISABLED(17),
    /**
     * Principal propagation: the connector refused the propagated user's token (issuer not
     * trusted, signature, expiry, no usable name claim). Nothing reached the backend.
     */
    PRINCIPAL_REFUSED(18),
    /**
     * Principal propagation: the request carries a user's token but the connector's session
     * speaks a protocol version without principal propagation (before version 3).
     */
    PRINCIPAL_PROPAGATION_UNSUPPORTED(19);

    private static final Reason[] BY_CODE = new Reason[256];

    static {
        for (Reason reason : values()) {
            BY_CODE[reason.code] = reason;
        }
    }

    private final int code;

    Reason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The reason for a wire code; unknown codes read as {@link #INTERNAL} so newer peers interoperate. */
    public static Reason of(int code) {
        Reason reason = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        return reason == null ? INTERNAL : reason;
    }
}
