package io.usmp.transport;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The UDP HELLO rate limit of SPEC §6: a token bucket per source ({@code burst} deep, refilled at
 * {@code perSecond}). The table is bounded (least recently used source evicted: a forgotten source
 * starts with a full bucket, which is no worse than the burst). Thread-safe.
 */
final class HelloRate {
    private static final class Bucket {
        double tokens;
        long at;
    }

    private final int burst;
    private final double perMilli;
    private final LinkedHashMap<InetAddress, Bucket> buckets;

    HelloRate(int burst, double perSecond, int tableSize) {
        if (burst < 1 || perSecond <= 0 || tableSize < 1) {
            throw new IllegalArgumentException("burst, rate and table size must be positive");
        }
        this.burst = burst;
        this.perMilli = perSecond / 1000.0;
        this.buckets = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
                return size() > tableSize;
            }
        };
    }

    /** Takes a token for a HELLO from {@code source}; false when its bucket is empty (drop the HELLO). */
    synchronized boolean tryAcquire(InetAddress source, long nowMillis) {
        Bucket b = buckets.get(source);
        if (b == null) {
            b = new Bucket();
            b.tokens = burst;
            b.at = nowMillis;
            buckets.put(source, b);
        } else {
            long elapsed = Math.max(0, nowMillis - b.at);
            b.tokens = Math.min(burst, b.tokens + elapsed * perMilli);
            b.at = nowMillis;
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return true;
        }
        return false;
    }
}
