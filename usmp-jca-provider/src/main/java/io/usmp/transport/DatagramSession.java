package io.usmp.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.usmp.protocol.BackpressureException;
import io.usmp.protocol.ConnectionClosedException;
import io.usmp.protocol.UsmpException;
import io.usmp.session.EngineEvent;
import io.usmp.session.UsmpEngine;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The shell between a datagram channel and one peer's datagram-mode {@link UsmpEngine} (UDP,
 * SPEC §5): hands it the peer's datagrams and the time, sends what it produces to the peer, runs
 * its timers (ARQ resends included) and reports its events. On a gateway many of these share one
 * channel; a device client has its own. Everything touching the engine runs on the channel's
 * event loop.
 *
 * <p>A send completes when the peer acknowledged the message's last frame (an authenticated
 * UTACK), and fails when a frame runs out of tries (the session then ends). Output is bounded:
 * while more than {@code highWaterMark} bytes wait for acknowledgement, sends are refused with
 * {@link BackpressureException}.
 *
 * <p>Input backpressure: while the owner's consumer is full the engine is told reading paused; it
 * then does not acknowledge DATA frames, so the peer resends them (nothing acknowledged is lost).
 */
final class DatagramSession implements SessionChannel {
    private record PendingSend(long lastSeq, CompletableFuture<Void> done) {
    }

    private final UsmpEngine engine;
    private final Channel channel;
    private final InetSocketAddress remote;
    private final SessionChannel.Events events;
    private final Clock clock;
    private final LongAdder bytesIn;
    private final LongAdder bytesOut;
    private final long highWaterMark;
    private final LongAdder sendsRefused;
    private final Runnable onEnd;
    private final ArrayDeque<PendingSend> unacknowledged = new ArrayDeque<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile long pendingBytes;
    private volatile boolean closed;
    private boolean readingPaused;
    private final EngineTimer timer;
    private final PendingPings pings = new PendingPings();

    DatagramSession(UsmpEngine engine, Channel channel, InetSocketAddress remote, SessionChannel.Events events, Clock clock,
                    LongAdder bytesIn, LongAdder bytesOut, long highWaterMark, LongAdder sendsRefused, Runnable onEnd) {
        this.engine = engine;
        this.channel = channel;
        this.remote = remote;
        this.events = events;
        this.clock = clock;
        this.timer = new EngineTimer(clock, this::onTimer);
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.highWaterMark = highWaterMark;
        this.sendsRefused = sendsRefused;
        this.onEnd = onEnd;
    }

    InetSocketAddress remote() {
        return remote;
    }

    /** Starts the engine (a client sends HELLO). */
    void start() {
        onLoop(() -> {
            engine.start(clock.millis());
            pump();
        });
    }

    /** One datagram from the peer (event loop). */
    void datagram(byte[] data) {
        bytesIn.add(data.length);
        if (closed) {
            return;
        }
        engine.receiveDatagram(data, 0, data.length, clock.millis());
        pump();
    }

    /** The channel closed under the session (event loop or any thread). */
    void transportClosed() {
        onLoop(() -> {
            if (!closed) {
                engine.transportClosed(clock.millis());
                pump();
            }
        });
    }

    @Override
    public UsmpEngine engine() {
        return engine;
    }

    @Override
    public CompletableFuture<Void> send(byte[] message) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            if (engine.isEstablished() && engine.unacknowledgedBytes() > highWaterMark) {
                if (sendsRefused != null) {
                    sendsRefused.increment();
                }
                done.completeExceptionally(new BackpressureException("session unwritable: " + engine.unacknowledgedBytes()
                        + " bytes wait for the device's acknowledgement"));
                return;
            }
            try {
                engine.send(message, clock.millis());
            } catch (UsmpException | IllegalStateException e) {
                done.completeExceptionally(e);
                pump();
                return;
            }
            unacknowledged.add(new PendingSend(engine.nextSendSeq() - 1, done));
            pump();
        });
        return done;
    }

    @Override
    public CompletableFuture<Void> ping() {
        CompletableFuture<Void> answered = new CompletableFuture<>();
        onLoop(() -> {
            pings.send(engine, clock.millis(), answered);
            pump();
        });
        return answered;
    }

    @Override
    public boolean isWritable() {
        return !closed && pendingBytes <= highWaterMark;
    }

    @Override
    public void close() {
        onLoop(() -> {
            engine.close(clock.millis());
            pump();
        });
    }

    /**
     * Over UDP the orderly close already loses nothing: BYE queues behind the frames not yet
     * acknowledged and the peer's frames are acknowledged until it acknowledges the BYE.
     */
    @Override
    public void closeLingering(long lingerMillis) {
        close();
    }

    @Override
    public void abort() {
        transportClosed();
    }

    @Override
    public boolean awaitEnded(long millis) {
        try {
            ended.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ended.isDone();
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }

    @Override
    public void setPaused(boolean pause) {
        onLoop(() -> syncPaused(pause));
    }

    private void syncPaused(boolean pause) {
        if (closed || pause == readingPaused) {
            return;
        }
        readingPaused = pause;
        if (pause) {
            engine.readingPaused(clock.millis());
        } else {
            engine.readingResumed(clock.millis());
        }
        reschedule();
    }

    @Override
    public long outboundPending() {
        return pendingBytes;
    }

    private void onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            channel.eventLoop().execute(task);
        }
    }

    /** Sends pending output, dispatches events, runs the end once the engine has closed. */
    private void pump() {
        // Registered before SESSION_OK leaves, as over TCP (EngineHandler.pump).
        EngineEvent.Established established = engine.pollEstablished();
        if (established != null) {
            events.established(this, established);
        }
        boolean wrote = false;
        for (byte[] out = engine.pollOutput(); out != null; out = engine.pollOutput()) {
            bytesOut.add(out.length);
            channel.write(new DatagramPacket(Unpooled.wrappedBuffer(out), remote));
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
        for (EngineEvent e = engine.pollEvent(); e != null; e = engine.pollEvent()) {
            if (e instanceof EngineEvent.Established est) {
                events.established(this, est);
            } else if (e instanceof EngineEvent.Message m) {
                if (events.message(this, m.payload())) {
                    syncPaused(true);
                }
            } else if (e instanceof EngineEvent.Delivered d) {
                while (!unacknowledged.isEmpty() && unacknowledged.peek().lastSeq() <= d.seq()) {
                    unacknowledged.poll().done().complete(null);
                }
            } else if (e instanceof EngineEvent.Pong pong) {
                pings.answered(pong);
            } else if (e instanceof EngineEvent.Closed c) {
                closed = true;
                timer.cancel();
                pings.ended(c);
                UsmpException failure = c.cause() != null ? c.cause()
                        : new ConnectionClosedException("session closed before the device acknowledged", c.reason());
                for (PendingSend p = unacknowledged.poll(); p != null; p = unacknowledged.poll()) {
                    p.done().completeExceptionally(failure);
                }
                try {
                    events.closed(this, c);
                } finally {
                    ended.complete(null);
                    onEnd.run();
                }
            }
        }
        pendingBytes = engine.unacknowledgedBytes();
        if (!closed) {
            reschedule();
        }
    }

    private void reschedule() {
        timer.reschedule(channel.eventLoop(), engine.nextDeadline());
    }

    private void onTimer() {
        if (closed) {
            return;
        }
        engine.tick(clock.millis());
        pump();
    }
}
