package io.connectivityproxy.protocol;

/**
 * How many bytes a sender may still send on one stream: starts at the window the receiver
 * granted and grows with each WINDOW_UPDATE. Not thread-safe; each stream lives on one thread.
 */
public final class SendCredit {

    private long available;

    public SendCredit(int initialWindow) {
        if (initialWindow < 0) {
            throw new IllegalArgumentException("initial window must not be negative: " + initialWindow);
        }
        this.available = initialWindow;
    }

    public long available() {
        return available;
    }

    /** Takes up to {@code wanted} bytes of credit and returns how many were taken (may be 0). */
    public int take(int wanted) {
        if (wanted < 0) {
            throw new IllegalArgumentException("cannot take " + wanted + " bytes of credit");
        }
        int taken = (int) Math.min(wanted, available);
        available -= taken;
        return taken;
    }

    /** Adds credit from a WINDOW_UPDATE; a total above 2^31 - 1 is the peer's flow-control error. */
    public void grant(int increment) throws ProtocolException {
        if (increment <= 0 || available + increment > FrameCodec.MAX_WINDOW) {
            throw new ProtocolException("window increment " + increment + " overflows the send window of " + available);
        }
        available += increment;
    }
}
