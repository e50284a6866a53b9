package io.connectivityproxy.protocol;

/**
 * The tokens an OPEN carries for principal propagation (protocol version 3): the business
 * user's JWT from {@code SAP-Connectivity-Authentication} and the technical user's JWT from
 * {@code SAP-Connectivity-Technical-Authentication}, each without its {@code Bearer } prefix;
 * the empty string when the request had none. The tokens are credentials: {@link #toString()}
 * shows only whether each is there and how long it is, so a frame or this record can be logged.
 */
public record PrincipalTokens(String user, String technical) {

    /** No principal to propagate (every OPEN before version 3). */
    public static final PrincipalTokens NONE = new PrincipalTokens("", "");

    public PrincipalTokens {
        if (user == null || technical == null) {
            throw new IllegalArgumentException("use the empty string for a missing token, not null");
        }
    }

    /** True when at least one token is there. */
    public boolean present() {
        return !user.isEmpty() || !technical.isEmpty();
    }

    @Override
    public String toString() {
        return "PrincipalTokens[user=" + shown(user) + ", technical=" + shown(technical) + "]";
    }

    private static String shown(String token) {
        return token.isEmpty() ? "none" : "(" + token.length() + " characters, redacted)";
    }
}
