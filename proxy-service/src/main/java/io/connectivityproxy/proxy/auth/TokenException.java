package io.connectivityproxy.proxy.auth;

/** A token that is refused, with a one-line reason for the client (never the token itself). */
public final class TokenException extends Exception {

    /** Why, for metrics ({@code cp_proxy_authorization_refusals_total{reason}}). */
    public enum Kind {
        MISSING,
        MALFORMED,
        ALGORITHM,
        ISSUER,
        UNKNOWN_KEY,
        KEYS_UNAVAILABLE,
        SIGNATURE,
        EXPIRED,
        NOT_YET_VALID,
        CLIENT_ID,
        SUBACCOUNT
    }

    private final Kind kind;

    public TokenException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
