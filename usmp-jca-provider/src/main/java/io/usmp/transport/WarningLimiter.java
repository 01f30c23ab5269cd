package io.usmp.transport;

/**
 * Caps per-connection WARNING lines (failed handshakes, sessions closed for a violation) at a few
 * per second, so a storm of bad devices costs counters, not log I/O; the next line that is written
 * says how many were left out. Cheap: one lock-free-enough synchronized check per event.
 */
final class WarningLimiter {
    static final int DEFAULT_PER_SECOND = 20;
    private final int perSecond;
    private long windowStart = Long.MIN_VALUE;
    private int inWindow;
    private long suppressed;

    WarningLimiter(int perSecond) {
        this.perSecond = perSecond;
    }

    /** -1 when this event must not be logged, else how many were suppressed since the last logged one. */
    synchronized long admit(long nowMillis) {
        if (nowMillis - windowStart >= 1_000 || windowStart == Long.MIN_VALUE) {
            windowStart = nowMillis;
            inWindow = 0;
        }
        if (inWindow >= perSecond) {
            suppressed++;
            return -1;
        }
        inWindow++;
        long s = suppressed;
        suppressed = 0;
        return s;
    }

    static String suffix(long suppressed) {
        return suppressed > 0 ? " (" + suppressed + " similar lines suppressed)" : "";
    }
}
