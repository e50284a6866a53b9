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
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        if (length > outstanding) {
            throw new ProtocolException("peer sent " + length + " bytes with only " + outstanding
                    + " bytes of credit");
        }
        outstanding -= length;
    }

    /**
     * Accounts for {@code length} bytes written onward and returns the increment to send in a
     * WINDOW_UPDATE now, or 0 to wait for more. Consuming more than was received is the
     * caller's bug (an {@link IllegalArgumentException}): it would break the memory bound.
     */
    public int consumed(int length) {
        long buffered = window - outstanding - consumedNotAcknowledged;
        if (length < 0 || length > buffered) {
            throw new IllegalArgumentException("consumed " + length + " bytes with only " + buffered
                    + " bytes received and not yet consumed");
        }
        consumedNotAcknowledged += length;
        // No early return when the sender is out of credit: then more than half a window is still
        // buffered here and will be consumed, and returning small increments would shrink every
        // later DATA frame to the size of one onward write (silly window syndrome).
        if (consumedNotAcknowledged < window / 2 || consumedNotAcknowledged == 0) {
            return 0;
        }
        int increment = (int) consumedNotAcknowledged;
        outstanding += increment;
        consumedNotAcknowledged = 0;
        return increment;
    }
}
