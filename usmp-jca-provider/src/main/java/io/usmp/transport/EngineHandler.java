package io.usmp.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.usmp.protocol.UsmpException;
import io.usmp.session.EngineEvent;
import io.usmp.session.UsmpEngine;
import io.usmp.wire.Frame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The thin shell between a Netty channel and a {@link UsmpEngine}: feeds it received bytes and
 * the time, writes what it produces, runs its timers and reports its events. Everything touching
 * the engine runs on the channel's event loop.
 *
 * <p>Backpressure: while the owner reports its consumer full ({@link Events#message} returns true),
 * reading stops and unprocessed bytes wait here, fed one frame's worth at a time so the consumer's
 * queue overshoots by a few messages at most.
 */
final class EngineHandler extends ChannelInboundHandlerAdapter {
    /** What the owner (gateway or client) does with the engine's events. Called on the event loop. */
    interface Events {
        void established(EngineHandler handler, EngineEvent.Established event);

        /** Returns true when the consumer is full and reading must pause. */
        boolean message(EngineHandler handler, byte[] payload);

        void closed(EngineHandler handler, EngineEvent.Closed event);
    }

    private static final int MAX_FRAME = Frame.HEADER_LENGTH + Frame.MAX_PAYLOAD;

    private final UsmpEngine engine;
    private final Events events;
    private final Clock clock;
    private final LongAdder bytesIn;
    private final LongAdder bytesOut;
    private Channel channel;
    private ByteBuf pending;
    private boolean paused;
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;

    EngineHandler(UsmpEngine engine, Events events, Clock clock, LongAdder bytesIn, LongAdder bytesOut) {
        this.engine = engine;
        this.events = events;
        this.clock = clock;
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
    }

    Channel channel() {
        return channel;
    }

    UsmpEngine engine() {
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

    private void drainInput() {
        byte[] chunk = null;
        while (pending != null && pending.isReadable() && !paused && !engine.isClosed()) {
            int n = Math.min(MAX_FRAME, pending.readableBytes());
            if (chunk == null || chunk.length != n) {
                chunk = new byte[n];
            }
            pending.readBytes(chunk);
            engine.receive(chunk, 0, n, clock.millis());
            pump(null);
        }
        if (pending != null && (!pending.isReadable() || engine.isClosed())) {
            pending.release();
            pending = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        engine.transportClosed(clock.millis());
        pump(null);
        cancelTimer();
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

    /** Pauses or resumes reading; safe from any thread. */
    void setPaused(boolean pause) {
        onLoop(() -> {
            if (paused == pause) {
                return;
            }
            paused = pause;
            channel.config().setAutoRead(!pause);
            if (!pause) {
                drainInput();
            }
        });
    }

    /** Queues a message from any thread; completes when its last frame is written. */
    CompletableFuture<Void> send(byte[] message) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
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

    /** Server: a complete HELLO must arrive by {@code deadlineMillis}; safe from any thread. */
    void requireHelloBy(long deadlineMillis) {
        onLoop(() -> {
            engine.requireHelloBy(deadlineMillis);
            pump(null);
        });
    }

    /** Orderly close from any thread: BYE, then the connection closes. */
    void close() {
        onLoop(() -> {
            engine.close(clock.millis());
            pump(null);
        });
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
        ChannelFuture last = null;
        for (byte[] out = engine.pollOutput(); out != null; out = engine.pollOutput()) {
            bytesOut.add(out.length);
            last = channel.write(Unpooled.wrappedBuffer(out));
        }
        if (last != null) {
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
            } else if (e instanceof EngineEvent.Closed c) {
                cancelTimer();
                if (last != null) {
                    last.addListener(ChannelFutureListener.CLOSE);
                } else {
                    channel.close();
                }
                events.closed(this, c);
            }
        }
        if (!engine.isClosed()) {
            reschedule();
        }
    }

    private void reschedule() {
        long at = engine.nextDeadline();
        if (at == Long.MAX_VALUE || (timer != null && at >= timerAt)) {
            return;
        }
        cancelTimer();
        timerAt = at;
        timer = channel.eventLoop().schedule(this::onTimer, Math.max(0, at - clock.millis()), TimeUnit.MILLISECONDS);
    }

    private void onTimer() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        engine.tick(clock.millis());
        pump(null);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
            timerAt = Long.MAX_VALUE;
        }
    }
}
