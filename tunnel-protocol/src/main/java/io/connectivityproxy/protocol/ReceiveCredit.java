package io.connectivityproxy.protocol;

/**
 * The receiving side of one stream's window. Incoming DATA must fit the credit granted; bytes
 * the application has consumed (written onward) are returned to the sender in WINDOW_UPDATEs,
 * batched to half a window so small writes do not each cost a frame. Memory held for a stream
 * is therefore never more than its window. Not thread-safe.
 *
 * <p>The window starts small and grows when it is what limits the stream: when the sender has
 * used every byte of credit (it said so with BLOCKED, or every byte granted has arrived) while
 * this side keeps up with what arrives (nothing is left buffered when the update is due), the
 * update also doubles the window, up to a maximum, out of a {@link WindowBudget} shared by the
 * process. A stream whose reader is slow, or whose sender has little to send, never grows.
 * {@link #release} gives the growth back when the stream ends.
 */
public final class ReceiveCredit {

    private final int initialWindow;
    private final int maxWindow;
    private final WindowBudget budget;
    private int window;
    private long outstanding;
    private long consumedNotAcknowledged;
    private boolean senderRanDry;
    private boolean released;

    /** A fixed window. */
    public ReceiveCredit(int window) {
        this(window, window, WindowBudget.NONE);
    }

    /** A window that starts at {@code initialWindow} and may grow to {@code maxWindow} out of {@code budget}. */
    public ReceiveCredit(int initialWindow, int maxWindow, WindowBudget budget) {
        if (initialWindow <= 0) {
            throw new IllegalArgumentException("window must be positive: " + initialWindow);
        }
        if (maxWindow < initialWindow) {
            throw new IllegalArgumentException(
                    "maximum window " + maxWindow + " is below the initial window " + initialWindow);
        }
        this.initialWindow = initialWindow;
        this.maxWindow = maxWindow;
        this.budget = budget;
        this.window = initialWindow;
        this.outstanding = initialWindow;
    }

    /** The window granted so far: the initial window plus any growth. */
    public int window() {
        return window;
    }

    /** Accounts for {@code length} received bytes; more than the credit granted is a flow-control error. */
    public void received(int length) throws ProtocolException {
        received(length, false);
    }

    /**
     * The same for a DATA frame that may carry {@link FrameCodec#FLAG_BLOCKED}: {@code senderBlocked}
     * says the sender has more to send and no credit left.
     */
    public void received(int length, boolean senderBlocked) throws ProtocolException {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        if (length > outstanding) {
            throw new ProtocolException("peer sent " + length + " bytes with only " + outstanding + " bytes of credit");
        }
        outstanding -= length;
        if (senderBlocked || (outstanding == 0 && length > 0)) {
            senderRanDry = true;
        }
    }

    /**
     * Accounts for {@code length} bytes written onward and returns the increment to send in a
     * WINDOW_UPDATE now, or 0 to wait for more. Consuming more than was received is the
     * caller's bug (an {@link IllegalArgumentException}): it would break the memory bound.
     */
    public int consumed(int length) {
        long buffered = window - outstanding - consumedNotAcknowledged;
        if (length < 0 || length > buffered) {
            throw new IllegalArgumentException(
                    "consumed " + length + " bytes with only " + buffered + " bytes received and not yet consumed");
        }
        consumedNotAcknowledged += length;
        // No early return when the sender is out of credit: then more than half a window is still
        // buffered here and will be consumed, and returning small increments would shrink every
        // later DATA frame to the size of one onward write (silly window syndrome).
        if (consumedNotAcknowledged < window / 2 || consumedNotAcknowledged == 0) {
            return 0;
        }
        long increment = consumedNotAcknowledged + growth(buffered - length);
        outstanding += increment;
        consumedNotAcknowledged = 0;
        return (int) increment;
    }

    /** How much the window grows with the update now due: doubled when it held the sender back. */
    private int growth(long stillBuffered) {
        boolean limiting = senderRanDry && stillBuffered == 0;
        senderRanDry = false;
        if (!limiting || released || window >= maxWindow) {
            return 0;
        }
        int growth = (int) Math.min(window, (long) maxWindow - window);
        if (!budget.reserve(growth)) {
            return 0;
        }
        window += growth;
        return growth;
    }

    /** Gives the window's growth back to the budget once the stream is done; it grows no more. Idempotent. */
    public void release() {
        if (!released) {
            released = true;
            budget.release(window - initialWindow);
        }
    }
}
