package io.connectivityproxy.stream;

import io.connectivityproxy.protocol.Reason;

/** A stream that could not be opened (OPEN_FAIL) or was reset (RST), with the peer's reason. */
public final class StreamException extends RuntimeException {

    private final Reason reason;

    public StreamException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
