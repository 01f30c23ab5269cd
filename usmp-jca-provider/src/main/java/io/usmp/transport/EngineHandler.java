package io.usmp.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import io.usmp.protocol.BackpressureException;
import io.usmp.protocol.UsmpException;
import io.usmp.session.EngineEvent;
import io.usmp.session.UsmpEngine;
import io.usmp.wire.Frame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * The thin shell between a Netty channel and a {@link UsmpEngine}: feeds it received bytes and
 * the time, writes what it produces, runs its timers and reports its events. Everything touching
 * the engine runs on the channel's event loop.
 *
 * <p>Input backpressure: while the owner reports its consumer full ({@link Events#message} returns
 * true), reading stops and unprocessed bytes wait here ({@code pending}, at most one socket read),
 * fed one frame's worth at a time so the consumer's queue overshoots by a few messages at most.
 * The engine is told when reading pauses and resumes, so its watchdog does not blame the peer for
 * our pause.
 *
 * <p>Output backpressure (gateway side, with an {@link OutputPolicy}): while the channel is above
 * its write buffer high water mark, sends are refused with {@link BackpressureException}, reading
 * stops too (the peer's requests would only produce more replies it does not read), and the engine
 * runs its slow-consumer timer, which closes the session if the peer does not drain in time.
 *
 * <p>Nothing already read is dropped: whenever the session ends (local close, peer EOF or reset,
 * timer), the complete frames waiting in {@code pending} are decoded first, so their messages reach
 * the owner before the close does; a violating frame among them ends the session there (SPEC §7).
 */
final class EngineHandler extends ChannelInboundHandlerAdapter implements SessionChannel {
    /** The owner's side (see {@link SessionChannel.Events}). */
    interface Events extends SessionChannel.Events {
    }

    /** Counters of the gateway's output policy; a client has none (its output is not bounded here). */
    record OutputPolicy(LongAdder unwritableEvents, LongAdder sendsRefused) {
    }

    private static final int MAX_FRAME = Frame.HEADER_LENGTH + Frame.MAX_PAYLOAD;

    private final UsmpEngine engine;
    private final Events events;
    private final Clock clock;
    private final LongAdder bytesIn;
    private final LongAdder bytesOut;
    private final OutputPolicy outputPolicy;
    private Channel channel;
    private ByteBuf pending;
    /** The consumer is full (owner's verdict). */
    private boolean consumerFull;
    /** The channel was unwritable when last looked at (only with an output policy). */
    private boolean outputBlocked;
    /** Reading is paused, for either reason; the engine and auto-read follow this. */
    private boolean readingPaused;
    /** Largest outbound buffer seen right after a write, in Netty's accounting (test seam). */
    private volatile long maxOutboundPending;
    private final EngineTimer timer;
    private final PendingPings pings = new PendingPings();

    EngineHandler(UsmpEngine engine, Events events, Clock clock, LongAdder bytesIn, LongAdder bytesOut) {
        this(engine, events, clock, bytesIn, bytesOut, null);
    }

    EngineHandler(UsmpEngine engine, Events events, Clock clock, LongAdder bytesIn, LongAdder bytesOut,
                  OutputPolicy outputPolicy) {
        this.engine = engine;
        this.events = events;
        this.clock = clock;
        this.timer = new EngineTimer(clock, this::onTimer);
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.outputPolicy = outputPolicy;
    }

    /** True when a send now would be accepted: open and (with an output policy) below the high water mark. */
    @Override
    public boolean isWritable() {
        Channel ch = channel;
        return ch != null && ch.isActive() && !engine.isClosed() && (outputPolicy == null || ch.isWritable());
    }

    /** Bytes queued in the channel's outbound buffer now (Netty's accounting, including its per-write overhead). */
    @Override
    public long outboundPending() {
        Channel ch = channel;
        ChannelOutboundBuffer buffer = ch == null ? null : ch.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** The largest {@link #outboundPending()} seen right after this handler wrote (for tests). */
    long maxOutboundPending() {
        return maxOutboundPending;
    }

    Channel channel() {
        return channel;
    }

    @Override
    public UsmpEngine engine() {
        return engine;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        engine.start(clock.millis());
        pump(null);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        bytesIn.add(buf.readableBytes());
        if (engine.isClosed()) {
            buf.release();
            return;
        }
        pending = pending == null ? buf : Unpooled.wrappedBuffer(pending, buf);
        drainInput();
    }

    /** Feeds pending input while reading is not paused. */
    private void drainInput() {
        byte[] chunk = null;
        while (pending != null && pending.isReadable() && !engine.isClosed() && !syncFlow()) {
            chunk = feedChunk(chunk);
        }
        releasePendingIfDone();
    }

    /**
     * Feeds all pending input whatever the backpressure (the session is ending: what was already
     * read is delivered, bounded by one socket read). Stops at a violation or BYE among it.
     */
    private void drainAll() {
        byte[] chunk = null;
        while (pending != null && pending.isReadable() && !engine.isClosed()) {
            chunk = feedChunk(chunk);
        }
        releasePendingIfDone();
    }

    private byte[] feedChunk(byte[] chunk) {
        int n = Math.min(MAX_FRAME, pending.readableBytes());
        if (chunk == null || chunk.length != n) {
            chunk = new byte[n];
        }
        pending.readBytes(chunk);
        engine.receive(chunk, 0, n, clock.millis());
        pump(null);
        return chunk;
    }

    private void releasePendingIfDone() {
        if (pending != null && (!pending.isReadable() || engine.isClosed())) {
            pending.release();
            pending = null;
        }
    }

    /**
     * Brings reading in line with the consumer and (with an output policy) the channel's
     * writability, telling the engine of each change. Returns true while reading is paused.
     */
    private boolean syncFlow() {
        if (engine.isClosing()) {
            // Our BYE is out: read the peer's last messages whatever the consumer, for the linger only.
            if (readingPaused) {
                readingPaused = false;
                channel.config().setAutoRead(true);
            }
            return false;
        }
        if (!engine.isEstablished() || !channel.isActive()) {
            return readingPaused;
        }
        long now = clock.millis();
        boolean changed = false;
        if (outputPolicy != null) {
            boolean blocked = !channel.isWritable();
            if (blocked != outputBlocked) {
                outputBlocked = blocked;
                changed = true;
                if (blocked) {
                    outputPolicy.unwritableEvents().increment();
                    engine.outputBlocked(now);
                } else {
                    engine.outputUnblocked(now);
                }
            }
        }
        boolean pause = consumerFull || outputBlocked;
        if (pause != readingPaused) {
            readingPaused = pause;
            changed = true;
            if (pause) {
                engine.readingPaused(now);
            } else {
                engine.readingResumed(now);
            }
            channel.config().setAutoRead(!pause);
        }
        if (changed) {
            reschedule();
        }
        return readingPaused;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (outputPolicy != null) {
            // Netty may report this from inside our own write or flush: act on it as a task of its own.
            ctx.channel().eventLoop().execute(() -> {
                if (!engine.isClosed()) {
                    syncFlow();
                    drainInput();
                }
            });
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        drainAll(); // what the peer completed before the connection ended is delivered before the close
        engine.transportClosed(clock.millis());
        pump(null);
        timer.cancel();
        if (pending != null) {
            ReferenceCountUtil.safeRelease(pending);
            pending = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or other socket error: the engine learns of it through channelInactive.
        ctx.close();
    }

    /** The consumer is full (pause reading) or has room again (resume); safe from any thread. */
    @Override
    public void setPaused(boolean pause) {
        onLoop(() -> {
            consumerFull = pause;
            if (engine.isClosed()) {
                return;
            }
            syncFlow();
            if (!pause) {
                drainInput();
            }
        });
    }

    /**
     * Queues a message from any thread; completes when its last frame is written. With an output
     * policy, fails at once with {@link BackpressureException} while the channel is unwritable.
     */
    @Override
    public CompletableFuture<Void> send(byte[] message) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            if (outputPolicy != null && engine.isEstablished() && !channel.isWritable()) {
                outputPolicy.sendsRefused().increment();
                done.completeExceptionally(new BackpressureException("session unwritable: " + outboundPending()
                        + " bytes queued for a peer that does not read"));
                return;
            }
            try {
                engine.send(message, clock.millis());
            } catch (UsmpException | IllegalStateException e) {
                done.completeExceptionally(e);
                pump(null);
                return;
            }
            pump(done);
        });
        return done;
    }

    @Override
    public CompletableFuture<Void> ping() {
        CompletableFuture<Void> answered = new CompletableFuture<>();
        onLoop(() -> {
            pings.send(engine, clock.millis(), answered);
            pump(null);
        });
        return answered;
    }

    /** Server: a complete HELLO must arrive by {@code deadlineMillis}; safe from any thread. */
    void requireHelloBy(long deadlineMillis) {
        onLoop(() -> {
            engine.requireHelloBy(deadlineMillis);
            pump(null);
        });
    }

    /**
     * Orderly close from any thread: first the input already read is decoded (its messages are
     * delivered), then BYE, then the connection closes.
     */
    @Override
    public void close() {
        onLoop(() -> {
            drainAll();
            engine.close(clock.millis());
            pump(null);
        });
    }

    /** Closes at once without BYE; what is queued for the socket is discarded. Safe from any thread. */
    @Override
    public void abort() {
        if (channel == null) {
            return; // not connected yet: nothing to end
        }
        onLoop(() -> {
            drainAll();
            engine.abort(clock.millis());
            pump(null);
            channel.close();
        });
    }

    /**
     * Orderly close that loses nothing the peer sent: the input already read is decoded, BYE goes
     * out, and the peer's messages still in flight are read for up to {@code lingerMillis} until it
     * closes or answers BYE (see {@link UsmpEngine#closeLingering}); safe from any thread.
     */
    @Override
    public void closeLingering(long lingerMillis) {
        onLoop(() -> {
            drainAll();
            engine.closeLingering(clock.millis(), lingerMillis);
            pump(null);
            if (engine.isClosing()) {
                syncFlow();
                drainInput();
            }
        });
    }

    @Override
    public boolean awaitEnded(long millis) {
        return channel == null || channel.closeFuture().awaitUninterruptibly(millis);
    }

    private void onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            channel.eventLoop().execute(task);
        }
    }

    /** Writes pending output, dispatches events, closes the channel once the engine has closed. */
    private void pump(CompletableFuture<Void> written) {
        // The session is registered before SESSION_OK leaves: a peer that knows it is connected (and
        // whoever it tells) finds the gateway knowing it too, e.g. for a send to that device.
        EngineEvent.Established established = engine.pollEstablished();
        if (established != null) {
            events.established(this, established);
        }
        ChannelFuture last = null;
        for (byte[] out = engine.pollOutput(); out != null; out = engine.pollOutput()) {
            bytesOut.add(out.length);
            last = channel.write(Unpooled.wrappedBuffer(out));
        }
        if (last != null) {
            long queued = outboundPending();
            if (queued > maxOutboundPending) {
                maxOutboundPending = queued;
            }
            channel.flush();
        }
        if (written != null) {
            if (last == null) {
                written.complete(null);
            } else {
                last.addListener(f -> {
                    if (f.isSuccess()) {
                        written.complete(null);
                    } else {
                        written.completeExceptionally(f.cause());
                    }
                });
            }
        }
        for (EngineEvent e = engine.pollEvent(); e != null; e = engine.pollEvent()) {
            if (e instanceof EngineEvent.Established est) {
                events.established(this, est);
            } else if (e instanceof EngineEvent.Message m) {
                if (events.message(this, m.payload())) {
                    setPaused(true);
                }
            } else if (e instanceof EngineEvent.Pong pong) {
                pings.answered(pong);
            } else if (e instanceof EngineEvent.Closed c) {
                timer.cancel();
                pings.ended(c);
                // Before the channel closes: whoever awaits the close (a client's close()) then sees why.
                events.closed(this, c);
                if (last != null) {
                    last.addListener(ChannelFutureListener.CLOSE);
                } else {
                    channel.close();
                }
            }
        }
        if (!engine.isClosed()) {
            syncFlow();
            reschedule();
        }
    }

    private void reschedule() {
        timer.reschedule(channel.eventLoop(), engine.nextDeadline());
    }

    private void onTimer() {
        if (outputPolicy != null && pending != null && clock.millis() >= engine.nextDeadline()) {
            // A gateway timer that fires while input waits here is the slow-consumer close (the
            // watchdog does not run while reading is paused): hand over what was read first.
            drainAll();
        }
        engine.tick(clock.millis());
        pump(null);
        drainInput();
    }
}
