package io.usmp.transport;

import io.usmp.CloseReason;
import io.usmp.DeviceId;
import io.usmp.PayloadException;
import io.usmp.ServerListener;
import io.usmp.UsmpException;
import io.usmp.UsmpSession;
import io.usmp.session.UsmpEngine;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * A gateway session and its serial delivery queue: listener calls for one session run one at a
 * time, in order, on the delivery executor; sessions proceed in parallel.
 */
final class GatewaySession implements UsmpSession {
    private static final System.Logger LOG = System.getLogger(GatewaySession.class.getName());

    private final EngineHandler handler;
    private final DeviceId deviceId;
    private final byte[] sessionId;
    private final InetSocketAddress remote;
    private final ServerListener listener;
    private final Executor executor;
    private final int capacity;
    private final LongAdder messagesSent;
    private final Runnable whenFinished;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private int queuedMessages;
    private boolean draining;
    private boolean paused;
    private volatile boolean open = true;

    GatewaySession(EngineHandler handler, DeviceId deviceId, byte[] sessionId, InetSocketAddress remote,
                   ServerListener listener, Executor executor, int capacity, LongAdder messagesSent,
                   Runnable whenFinished) {
        this.handler = handler;
        this.deviceId = deviceId;
        this.sessionId = sessionId.clone();
        this.remote = remote;
        this.listener = listener;
        this.executor = executor;
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
        UsmpEngine.checkSize(message);
        return handler.send(message.clone()).thenRun(messagesSent::increment);
    }

    @Override
    public void close() {
        handler.close();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    void opened() {
        enqueue(() -> listener.onSession(this), false);
    }

    /** Queues a message; returns true when the queue is full and the socket should stop being read. */
    boolean message(byte[] payload) {
        return enqueue(() -> listener.onMessage(this, payload), true);
    }

    void closed(CloseReason reason, UsmpException cause) {
        open = false;
        enqueue(() -> {
            try {
                listener.onClosed(this, reason, cause);
            } finally {
                whenFinished.run();
            }
        }, false);
    }

    private boolean enqueue(Runnable call, boolean isMessage) {
        boolean full;
        boolean start;
        synchronized (queue) {
            queue.add(isMessage ? () -> {
                try {
                    call.run();
                } finally {
                    messageDone();
                }
            } : call);
            if (isMessage) {
                queuedMessages++;
            }
            full = queuedMessages >= capacity;
            paused |= full;
            start = !draining;
            draining = true;
        }
        if (start) {
            executor.execute(this::drain);
        }
        return full;
    }

    private void messageDone() {
        boolean resume;
        synchronized (queue) {
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

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (queue) {
                next = queue.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "listener failed for device " + deviceId + ": " + e.getClass().getName(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "UsmpSession[device=" + deviceId + " remote=" + remote + (open ? "" : " closed") + "]";
    }
}
