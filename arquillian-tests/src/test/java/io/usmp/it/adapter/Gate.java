package io.usmp.it.adapter;

/**
 * Holds the test MDB on "gate:" messages while closed (at most {@link #MAX_WAIT_MILLIS}), so a
 * test can keep a device's line busy. A static in the EJB module, switched through the servlet.
 */
public final class Gate {
    static final long MAX_WAIT_MILLIS = 120_000;
    private static final Object LOCK = new Object();
    private static boolean closed;

    private Gate() {
    }

    public static void set(boolean close) {
        synchronized (LOCK) {
            closed = close;
            LOCK.notifyAll();
        }
    }

    /** Waits while closed, bounded. */
    public static void pass() {
        long deadline = System.nanoTime() + MAX_WAIT_MILLIS * 1_000_000L;
        synchronized (LOCK) {
            long left;
            while (closed && (left = deadline - System.nanoTime()) > 0) {
                try {
                    LOCK.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
