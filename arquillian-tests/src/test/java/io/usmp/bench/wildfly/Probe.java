package io.usmp.bench.wildfly;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the benchmark's MDBs saw, per stream (one per MDB): messages and messages that arrived after
 * a later one of the same device. Lives in the bench WAR; {@link StatsServlet} shows it.
 * <p>Every benchmark message is {@link #SIZE} bytes: device index (int), per-device sequence number
 * (long, from 1), send time in the driver's {@code System.nanoTime()} (long), a flag byte
 * ({@link #REPLY}: the MDB sends the message back), padding.
 */
public final class Probe {
    static final int SIZE = 64;
    static final byte REPLY = 1;
    static final int MAX_DEVICES = 4096;
    private static final Map<String, Probe> STREAMS = new ConcurrentHashMap<>();

    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong outOfOrder = new AtomicLong();
    private final AtomicLongArray lastSeq = new AtomicLongArray(MAX_DEVICES);

    private Probe() {
    }

    static Probe stream(String name) {
        return STREAMS.computeIfAbsent(name, n -> new Probe());
    }

    /** Records one message; returns whether the MDB should send it back. */
    boolean record(byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        int device = b.getInt(0);
        long seq = b.getLong(4);
        long before = lastSeq.getAndAccumulate(device, seq, Math::max);
        if (seq < before) {
            outOfOrder.incrementAndGet();
        }
        messages.incrementAndGet();
        return payload[20] == REPLY;
    }

    /** One line per stream: {@code name messages outOfOrder}. */
    static String snapshot() {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(STREAMS).forEach((name, p) -> s.append(name).append(' ').append(p.messages.get()).append(' ')
                .append(p.outOfOrder.get()).append('\n'));
        return s.toString();
    }

    /** Zeroes every stream (the driver calls it between measurements, when nothing is in flight). */
    static void reset() {
        for (Probe p : STREAMS.values()) {
            p.messages.set(0);
            p.outOfOrder.set(0);
            for (int i = 0; i < MAX_DEVICES; i++) {
                p.lastSeq.set(i, 0);
            }
        }
    }
}
