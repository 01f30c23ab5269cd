package io.usmp.transport;

import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PayloadException;
import io.usmp.ServerListener;
import io.usmp.protocol.UsmpException;
import io.usmp.UsmpSession;
import io.usmp.session.UsmpEngine;
import io.usmp.protocol.Limits;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * A gateway session. Its listener calls go onto its device's line of the {@link DeliveryScheduler}:
 * one at a time, in order, behind whatever an earlier session of the same device left queued. When
 * this session supersedes one of the same device that is still closing, its calls are held here
 * until that one has queued its last messages and its {@code onClosed} (see {@link #after}).
 */
final class GatewaySession implements UsmpSession {
    /**
     * The gateway's listener and whether it overrides {@code onSession} and {@code onClosed}: the
     * inherited no-ops are not queued at all, which spares each session two hand-offs to a
     * delivery thread (a measurable share of a handshake's CPU at fleet scale).
     */
    record Listener(ServerListener calls, boolean onSession, boolean onClosed) {
        static Listener of(ServerListener calls) {
            return new Listener(calls, overrides(calls, "onSession", UsmpSession.class),
                    overrides(calls, "onClosed", UsmpSession.class, CloseReason.class, UsmpException.class));
        }

        private static boolean overrides(ServerListener calls, String method, Class<?>... parameters) {
            try {
                return calls.getClass().getMethod(method, parameters).getDeclaringClass() != ServerListener.class;
            } catch (NoSuchMethodException | SecurityException e) {
                return true; // cannot tell: deliver
            }
        }
    }

    private final SessionChannel handler;
    private final long lingerMillis;
    private final DeviceId deviceId;
    private final byte[] sessionId;
    private final InetSocketAddress remote;
    private final ServerListener listener;
    private final boolean deliversOpen;
    private final boolean deliversClose;
    private final DeliveryScheduler<DeviceId>.Line line;
    private final int capacity;
    private final LongAdder messagesSent;
    private final Runnable whenFinished;
    private int queuedMessages;
    private boolean paused;
    private volatile boolean open = true;
    /** Completes once the session's end (its onClosed, or releasing its line) is queued: all of it is queued by then. */
    private final CompletableFuture<Void> allQueued = new CompletableFuture<>();
    /** Listener calls held until the predecessor has queued everything; null when not held. */
    private ArrayDeque<Runnable> held;
    private final CompletableFuture<Void> heldReleased = new CompletableFuture<>();

    GatewaySession(SessionChannel handler, DeviceId deviceId, byte[] sessionId, InetSocketAddress remote,
                   Listener listener, DeliveryScheduler<DeviceId> scheduler, int capacity, LongAdder messagesSent,
                   Runnable whenFinished, long lingerMillis) {
        this.handler = handler;
        this.lingerMillis = lingerMillis;
        this.deviceId = deviceId;
        this.sessionId = sessionId.clone();
        this.remote = remote;
        this.listener = listener.calls();
        this.deliversOpen = listener.onSession();
        this.deliversClose = listener.onClosed();
        this.line = scheduler.acquire(deviceId);
        this.capacity = capacity;
        this.messagesSent = messagesSent;
        this.whenFinished = whenFinished;
    }

    @Override
    public DeviceId deviceId() {
        return deviceId;
    }

    @Override
    public byte[] sessionId() {
        return sessionId.clone();
    }

    @Override
    public String sessionIdHex() {
        return HexFormat.of().formatHex(sessionId);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public CompletionStage<Void> send(byte[] message) throws PayloadException {
        Limits.checkMessageSize(message);
        CompletableFuture<Void> written = handler.send(message.clone());
        written.thenRun(messagesSent::increment);
        // The stage itself, not a dependent one: a refused send reports BackpressureException as is.
        return written;
    }

    @Override
    public boolean isWritable() {
        return open && handler.isWritable();
    }

    @Override
    public void close() {
        handler.closeLingering(lingerMillis);
    }

    @Override
    public void abort() {
        handler.abort();
    }

    SessionChannel handler() {
        return handler;
    }

    /**
     * Holds this session's listener calls until {@code previous} (the device's session this one
     * supersedes) has queued its last messages and its onClosed. Call before {@link #opened()}.
     */
    void after(GatewaySession previous) {
        synchronized (this) {
            held = new ArrayDeque<>();
        }
        previous.allQueued.thenRun(this::release);
    }

    private void release() {
        synchronized (this) {
            for (Runnable task : held) {
                line.submit(task);
            }
            held = null;
        }
        heldReleased.complete(null);
    }

    private void submit(Runnable task) {
        synchronized (this) {
            if (held != null) {
                held.add(task);
                return;
            }
            line.submit(task);
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    void opened() {
        if (deliversOpen) {
            submit(() -> listener.onSession(this));
        }
    }

    /** Queues a message; returns true when the queue is full and the socket should stop being read. */
    boolean message(byte[] payload) {
        boolean full;
        synchronized (this) {
            queuedMessages++;
            full = queuedMessages >= capacity;
            paused |= full;
        }
        submit(() -> {
            try {
                listener.onMessage(this, payload);
            } finally {
                messageDone();
            }
        });
        return full;
    }

    void closed(CloseReason reason, UsmpException cause) {
        open = false;
        if (deliversClose) {
            submit(() -> {
                try {
                    listener.onClosed(this, reason, cause);
                } finally {
                    finish();
                }
            });
        } else {
            boolean isHeld;
            synchronized (this) {
                isHeld = held != null;
                if (isHeld) {
                    held.add(this::finish);
                }
            }
            if (!isHeld) {
                line.releaseAfterQueued(whenFinished);
            }
        }
        // Our calls may still be held behind a predecessor; a successor's are held behind ours.
        submitted().thenRun(() -> allQueued.complete(null));
    }

    /** The last of this session on its line: every listener call of it has run. */
    private void finish() {
        line.release();
        whenFinished.run();
    }

    /** Completes once {@link #closed} ran and every listener call of this session is on its line. */
    CompletionStage<Void> allQueued() {
        return allQueued;
    }

    /** Completes when nothing of ours is held any more (at once unless we wait for a predecessor). */
    private CompletableFuture<Void> submitted() {
        synchronized (this) {
            return held == null ? CompletableFuture.completedFuture(null) : heldReleased;
        }
    }

    private void messageDone() {
        boolean resume;
        synchronized (this) {
            queuedMessages--;
            resume = paused && queuedMessages <= capacity / 2;
            if (resume) {
                paused = false;
            }
        }
        if (resume) {
            handler.setPaused(false);
        }
    }

    @Override
    public String toString() {
        return "UsmpSession[device=" + deviceId + " remote=" + remote + (open ? "" : " closed") + "]";
    }
}
