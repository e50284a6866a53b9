package io.connectivityproxy.connector.principal;

/**
 * A propagated token that cannot be used: the stream is refused with PRINCIPAL_REFUSED and
 * this message, which names what is wrong but never quotes the token or its claims.
 */
public final class PrincipalRefused extends Exception {

    public PrincipalRefused(String message) {
        super(message, null, false, false);
    }
}
