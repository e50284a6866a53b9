package io.connectivityproxy.protocol;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of receive window a process may grant beyond its streams' initial windows, shared
 * by all its streams. A stream whose window is what limits it grows its window out of this
 * budget and gives the growth back when it closes, so the memory a process can pin stays at
 * most streams × initial window + budget, however many streams are fast. Thread-safe.
 */
public final class WindowBudget {

    /** No growth at all: every stream keeps its initial window. */
    public static final WindowBudget NONE = new WindowBudget(0);

    private final long total;
    private final AtomicLong available;
    private final AtomicLong granted = new AtomicLong();

    public WindowBudget(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("window budget must not be negative: " + bytes);
        }
        this.total = bytes;
        this.available = new AtomicLong(bytes);
    }

    /** Takes {@code bytes} if that many are left; all or nothing. */
    public boolean reserve(long bytes) {
        if (bytes <= 0) {
            return bytes == 0;
        }
        while (true) {
            long left = available.get();
            if (left < bytes) {
                return false;
            }
            if (available.compareAndSet(left, left - bytes)) {
                granted.addAndGet(bytes);
                return true;
            }
        }
    }

    /** Gives back bytes an earlier {@link #reserve} took. */
    public void release(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot release " + bytes + " bytes");
        }
        long after = available.addAndGet(bytes);
        if (after > total) {
            throw new IllegalStateException("released more window than was reserved: " + after + " > " + total);
        }
    }

    public long available() {
        return available.get();
    }

    public long total() {
        return total;
    }

    /** All growth ever reserved, for a metric that shows windows growing. */
    public long grantedTotal() {
        return granted.get();
    }
}
