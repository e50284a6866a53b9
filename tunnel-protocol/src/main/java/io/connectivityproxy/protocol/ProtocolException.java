package io.connectivityproxy.protocol;

/**
 * Input that does not follow the tunnel protocol. Checked on purpose: every caller of a decoder
 * must decide what a malformed frame does to its session (the answer is always: close it with
 * GOAWAY(PROTOCOL_ERROR) and keep serving everyone else).
 */
public final class ProtocolException extends Exception {

    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
