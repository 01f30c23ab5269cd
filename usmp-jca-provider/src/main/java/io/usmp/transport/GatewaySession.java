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
import java.util.HexFormat;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * A gateway session. Its listener calls go onto its device's line of the {@link DeliveryScheduler}:
 * one at a time, in order, behind whatever an earlier session of the same device left queued.
 */
final class GatewaySession implements UsmpSession {
    private final EngineHandler handler;
    private final DeviceId deviceId;
    private final byte[] sessionId;
    private final InetSocketAddress remote;
    private final ServerListener listener;
    private final DeliveryScheduler<DeviceId>.Line line;
    private final int capacity;
    private final LongAdder messagesSent;
    private final Runnable whenFinished;
    private int queuedMessages;
    private boolean paused;
    private volatile boolean open = true;

    GatewaySession(EngineHandler handler, DeviceId deviceId, byte[] sessionId, InetSocketAddress remote,
                   ServerListener listener, DeliveryScheduler<DeviceId> scheduler, int capacity, LongAdder messagesSent,
                   Runnable whenFinished) {
        this.handler = handler;
        this.deviceId = deviceId;
        this.sessionId = sessionId.clone();
        this.remote = remote;
        this.listener = listener;
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

    @Override
    public boolean isWritable() {
        return open && handler.channel().isWritable();
    }

    void opened() {
        line.submit(() -> listener.onSession(this));
    }

    /** Queues a message; returns true when the queue is full and the socket should stop being read. */
    boolean message(byte[] payload) {
        boolean full;
        synchronized (this) {
            queuedMessages++;
            full = queuedMessages >= capacity;
            paused |= full;
        }
        line.submit(() -> {
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
        line.submit(() -> {
            try {
                listener.onClosed(this, reason, cause);
            } finally {
                line.release();
                whenFinished.run();
            }
        });
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
