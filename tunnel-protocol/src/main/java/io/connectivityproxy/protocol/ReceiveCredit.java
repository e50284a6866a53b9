package io.connectivityproxy.protocol;

/**
 * The receiving side of one stream's window. Incoming DATA must fit the credit granted; bytes
 * the application has consumed (written onward) are returned to the sender in WINDOW_UPDATEs,
 * batched to half a window so small writes do not each cost a frame. Memory held for a stream
 * is therefore never more than its window. Not thread-safe.
 */
public final class ReceiveCredit {

    private final int window;
    private long outstanding;
    private long consumedNotAcknowledged;

    public ReceiveCredit(int window) {
        if (window <= 0) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.window = window;
        this.outstanding = window;
    }

    public int window() {
        return window;
    }

    /** Accounts for {@code length} received bytes; more than the credit granted is a flow-control error. */
    public void received(int length) throws ProtocolException {
        if (length > outstanding) {
            throw new ProtocolException("peer sent " + length + " bytes with only " + outstanding
                    + " bytes of credit");
        }
        outstanding -= length;
    }

    /**
     * Accounts for {@code length} bytes written onward and returns the increment to send in a
     * WINDOW_UPDATE now, or 0 to wait for more.
     */
    public int consumed(int length) {
        consumedNotAcknowledged += length;
        if (consumedNotAcknowledged < window / 2 && outstanding > 0) {
            return 0;
        }
        int increment = (int) consumedNotAcknowledged;
        outstanding += increment;
        consumedNotAcknowledged = 0;
        return increment;
    }
}
