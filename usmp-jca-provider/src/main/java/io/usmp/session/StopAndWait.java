package io.usmp.session;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The stop-and-wait ARQ of SPEC §5, sans-IO: one datagram in flight, resent every
 * {@code interval} ms until acknowledged; after {@code tries} sends and one more interval without
 * an acknowledgement, {@link #tick} reports the failure. Later datagrams wait their turn.
 */
final class StopAndWait {
    /** One queued datagram: its frame's type code and seq identify its acknowledgement. */
    record Entry(byte[] datagram, int typeCode, long seq, boolean replyOnly) {
    }

    private final int tries;
    private final long interval;
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private int sent;
    private long nextAt = Long.MAX_VALUE;
    private long queuedBytes;

    StopAndWait(int tries, long intervalMillis) {
        if (tries < 1 || intervalMillis < 1) {
            throw new IllegalArgumentException("tries and interval must be positive");
        }
        this.tries = tries;
        this.interval = intervalMillis;
    }

    /**
     * Queues a datagram; sends it at once when nothing is in flight. With {@code replyOnly} only a
     * reply (see {@link #replyReceived}) completes it, not a UTACK: a cookieless HELLO, whose
     * stateless HELLO_RETRY the gateway never resends.
     */
    void enqueue(Entry e, long now, Consumer<byte[]> out) {
        queue.add(e);
        queuedBytes += e.datagram().length;
        if (queue.size() == 1) {
            transmit(now, out);
        }
    }

    /** A UTACK for (type, seq) arrived: completes the head when it matches; returns it, else null. */
    Entry acknowledged(int typeCode, long seq, long now, Consumer<byte[]> out) {
        Entry head = queue.peek();
        if (head == null || head.replyOnly() || head.typeCode() != typeCode || head.seq() != seq) {
            return null;
        }
        return pop(now, out);
    }

    /** The datagram in flight, or null. */
    Entry head() {
        return queue.peek();
    }

    /**
     * A handshake reply arrived, which proves the peer received our handshake frame in flight
     * (its UTACK may be lost): completes the head if it is a handshake frame.
     */
    Entry replyReceived(long now, Consumer<byte[]> out) {
        Entry head = queue.peek();
        if (head == null || io.usmp.wire.Datagrams.isSessionType(head.typeCode())) {
            return null;
        }
        return pop(now, out);
    }

    private Entry pop(long now, Consumer<byte[]> out) {
        Entry head = queue.poll();
        queuedBytes -= head.datagram().length;
        sent = 0;
        nextAt = Long.MAX_VALUE;
        if (!queue.isEmpty()) {
            transmit(now, out);
        }
        return head;
    }

    private void transmit(long now, Consumer<byte[]> out) {
        out.accept(queue.peek().datagram());
        sent++;
        nextAt = now + interval;
    }

    /** Resends a due head. Returns false when the head ran out of tries (the send failed). */
    boolean tick(long now, Consumer<byte[]> out) {
        if (queue.isEmpty() || now < nextAt) {
            return true;
        }
        if (sent >= tries) {
            return false;
        }
        transmit(now, out);
        return true;
    }

    long nextDeadline() {
        return queue.isEmpty() ? Long.MAX_VALUE : nextAt;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Bytes of the datagrams queued or in flight. */
    long queuedBytes() {
        return queuedBytes;
    }

    int tries() {
        return tries;
    }

    void clear() {
        queue.clear();
        queuedBytes = 0;
        sent = 0;
        nextAt = Long.MAX_VALUE;
    }
}
