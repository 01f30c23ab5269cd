package io.usmp.ra.dial;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one dial-out factory; thread-safe. */
final class DialStats implements DialPoolMXBean {
    private final String target;
    private final List<String> deviceIds;
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger inUse = new AtomicInteger();
    final AtomicInteger peakInUse = new AtomicInteger();
    final LongAdder handshakes = new LongAdder();
    final LongAdder handshakeFailures = new LongAdder();
    final LongAdder handles = new LongAdder();
    final LongAdder committed = new LongAdder();
    final LongAdder rolledBack = new LongAdder();
    private final Map<String, LongAdder> evictions = new ConcurrentHashMap<>();

    DialStats(String target, List<String> deviceIds) {
        this.target = target;
        this.deviceIds = List.copyOf(deviceIds);
    }

    void evicted(String reason) {
        evictions.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    @Override
    public String getTarget() {
        return target;
    }

    @Override
    public List<String> getDeviceIds() {
        return deviceIds;
    }

    @Override
    public int getSessionsOpen() {
        return open.get();
    }

    @Override
    public int getInUse() {
        return inUse.get();
    }

    void handleTaken() {
        peakInUse.accumulateAndGet(inUse.incrementAndGet(), Math::max);
    }

    @Override
    public int getPeakInUse() {
        return peakInUse.get();
    }

    @Override
    public long getHandshakes() {
        return handshakes.sum();
    }

    @Override
    public long getHandshakeFailures() {
        return handshakeFailures.sum();
    }

    @Override
    public long getHandlesGiven() {
        return handles.sum();
    }

    @Override
    public Map<String, Long> getEvictions() {
        Map<String, Long> m = new TreeMap<>();
        evictions.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    @Override
    public long getEvictionsTotal() {
        return evictions.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public long getMessagesCommitted() {
        return committed.sum();
    }

    @Override
    public long getMessagesRolledBack() {
        return rolledBack.sum();
    }

    @Override
    public String toString() {
        return "DialStats[" + target + " open=" + open + " inUse=" + inUse + " handshakes=" + handshakes + " evictions="
                + getEvictions() + "]";
    }
}
