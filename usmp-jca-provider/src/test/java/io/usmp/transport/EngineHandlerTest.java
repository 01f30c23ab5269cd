package io.usmp.transport;

import static io.usmp.testing.EnginePair.pattern;
import static io.usmp.testing.Frames.withCrc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.PskResolver;
import io.usmp.protocol.UsmpTimeoutException;
import io.usmp.session.EngineEvent;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import io.usmp.testing.EnginePair;
import io.usmp.wire.Frame;
import io.usmp.wire.FrameDecoder;
import io.usmp.wire.PacketType;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EngineHandler} on Netty {@link EmbeddedChannel}s: a client and a server engine connected by
 * moving each channel's outbound buffers into the other. Time is a fake {@link Clock} advanced
 * together with the channels' frozen scheduler time, so timers fire exactly when due.
 */
class EngineHandlerTest {
    private static final long T0 = 3_000_000L;
    private static final EngineSettings SETTINGS = EngineSettings.defaults(EnginePair.CRYPTO)
            .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));
    /** The largest message that fits one frame: its frame is exactly what the handler feeds at once. */
    private static final int ONE_FRAME = 452;

    private final AtomicLong now = new AtomicLong(T0);
    private final Clock clock = now::get;
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
    }

    /** The owner's side of the handler: records events; reports "full" while {@link #full} is set. */
    private static final class Owner implements EngineHandler.Events {
        final List<EngineEvent.Established> established = new ArrayList<>();
        final List<byte[]> messages = new ArrayList<>();
        final List<EngineEvent.Closed> closed = new ArrayList<>();
        boolean full;

        @Override
        public void established(SessionChannel handler, EngineEvent.Established event) {
            established.add(event);
        }

        @Override
        public boolean message(SessionChannel handler, byte[] payload) {
            messages.add(payload);
            return full;
        }

        @Override
        public void closed(SessionChannel handler, EngineEvent.Closed event) {
            closed.add(event);
        }
    }

    /** One end: its channel, handler, engine owner and byte counters. */
    private final class End {
        final Owner owner = new Owner();
        final LongAdder bytesIn = new LongAdder();
        final LongAdder bytesOut = new LongAdder();
        final EngineHandler handler;
        final EmbeddedChannel ch;

        End(UsmpEngine engine, ChannelHandler... before) throws Exception {
            handler = new EngineHandler(engine, owner, clock, bytesIn, bytesOut);
            ChannelHandler[] handlers = new ChannelHandler[before.length + 1];
            System.arraycopy(before, 0, handlers, 0, before.length);
            handlers[before.length] = handler;
            ch = new EmbeddedChannel(false, false, handlers);
            channels.add(ch);
            ch.freezeTime(); // scheduled tasks run only when advance() says so
            ch.register();
        }

        /** Everything written so far, decoded; the buffers are released. */
        List<Frame> written() throws Exception {
            List<Frame> frames = new ArrayList<>();
            FrameDecoder decoder = new FrameDecoder();
            for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                b.release();
                decoder.decode(bytes, 0, bytes.length, frames::add);
            }
            assertFalse(decoder.hasPartialFrame());
            return frames;
        }

        /** Everything written so far, as raw bytes, buffers released. */
        byte[] writtenBytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                b.release();
                out.writeBytes(bytes);
            }
            return out.toByteArray();
        }
    }

    private End client(ChannelHandler... before) throws Exception {
        return new End(UsmpEngine.client(SETTINGS, EnginePair.DEVICE, EnginePair.PSK, clock.millis()), before);
    }

    private End server(ChannelHandler... before) throws Exception {
        return new End(UsmpEngine.server(SETTINGS, PskResolver.shared(EnginePair.PSK), clock.millis()), before);
    }

    /** Moves each buffer {@code from} wrote into {@code to}, one channelRead per buffer; returns how many. */
    private static int shuttle(End from, End to) {
        int moved = 0;
        for (ByteBuf b = from.ch.readOutbound(); b != null; b = from.ch.readOutbound()) {
            to.ch.writeInbound(b);
            moved++;
        }
        return moved;
    }

    /** Moves everything {@code from} wrote into {@code to} as a single read. */
    private static void shuttleAsOneRead(End from, End to) {
        List<ByteBuf> all = new ArrayList<>();
        for (ByteBuf b = from.ch.readOutbound(); b != null; b = from.ch.readOutbound()) {
            all.add(b);
        }
        to.ch.writeInbound(Unpooled.wrappedBuffer(all.toArray(new ByteBuf[0])));
    }

    private static int pumpUntilQuiet(End a, End b) {
        int moved = 0;
        for (int round = 0; round < 100; round++) {
            int n = shuttle(a, b) + shuttle(b, a);
            if (n == 0) {
                return moved;
            }
            moved += n;
        }
        throw new AssertionError("the ends keep talking");
    }

    /** Advances the fake clock and every channel's scheduler by {@code millis}, then runs due timers. */
    private void advance(long millis) {
        now.addAndGet(millis);
        for (EmbeddedChannel ch : channels) {
            ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
            ch.runPendingTasks();
        }
    }

    private End[] established() throws Exception {
        End c = client();
        End s = server();
        assertEquals(4, pumpUntilQuiet(c, s), "HELLO, CHALLENGE, HELLO_ACK, SESSION_OK");
        assertEquals(1, c.owner.established.size());
        assertEquals(1, s.owner.established.size());
        return new End[] {c, s};
    }

    private static byte[] numbered(int i, int size) {
        byte[] m = pattern(size).clone();
        m[0] = (byte) i;
        return m;
    }

    // ---------------------------------------------------------------- backpressure

    @Test
    void fullConsumerPausesReadingHoldsInputAndResumesInOrder() throws Exception {
        End[] ends = established();
        End c = ends[0];
        End s = ends[1];
        s.owner.full = true;
        for (int i = 0; i < 5; i++) {
            c.handler.send(numbered(i, ONE_FRAME));
        }
        shuttleAsOneRead(c, s); // five frames arrive in one read
        assertEquals(1, s.owner.messages.size(), "one frame's worth fed, then paused");
        assertFalse(s.ch.config().isAutoRead(), "reading stopped");

        // more bytes arriving while paused (already in flight) are held too
        c.handler.send(numbered(5, ONE_FRAME));
        c.handler.send(numbered(6, 3));
        shuttle(c, s);
        assertEquals(1, s.owner.messages.size());

        // resumed while the consumer is still full: exactly one more frame, paused again
        s.handler.setPaused(false);
        assertEquals(2, s.owner.messages.size());
        assertFalse(s.ch.config().isAutoRead());
        s.handler.setPaused(false);
        assertEquals(3, s.owner.messages.size());

        s.owner.full = false;
        s.handler.setPaused(false);
        assertTrue(s.ch.config().isAutoRead(), "reading resumed");
        assertEquals(7, s.owner.messages.size(), "the rest delivered");
        for (int i = 0; i < 7; i++) {
            assertArrayEquals(numbered(i, i == 6 ? 3 : ONE_FRAME), s.owner.messages.get(i), "message " + i + " in order");
        }
        assertTrue(s.handler.engine().isEstablished());
        assertTrue(s.ch.isOpen());
    }

    @Test
    void smallFramesOvershootByAtMostOneReadChunk() throws Exception {
        End[] ends = established();
        End c = ends[0];
        End s = ends[1];
        s.owner.full = true;
        int n = 30;
        for (int i = 0; i < n; i++) {
            c.handler.send(numbered(i, 1)); // 41-byte frames
        }
        shuttleAsOneRead(c, s);
        int first = s.owner.messages.size();
        int chunk = Frame.HEADER_LENGTH + Frame.MAX_PAYLOAD;
        assertTrue(first >= 1 && first <= chunk / 41, "delivered before pausing: " + first);
        assertFalse(s.ch.config().isAutoRead());
        s.owner.full = false;
        s.handler.setPaused(false);
        assertEquals(n, s.owner.messages.size());
        for (int i = 0; i < n; i++) {
            assertArrayEquals(numbered(i, 1), s.owner.messages.get(i));
        }
    }

    @Test
    void pauseAndResumeAreIdempotent() throws Exception {
        End[] ends = established();
        End s = ends[1];
        s.handler.setPaused(true);
        s.handler.setPaused(true);
        assertFalse(s.ch.config().isAutoRead());
        ends[0].handler.send(new byte[] {1});
        shuttle(ends[0], s);
        assertEquals(0, s.owner.messages.size(), "paused by the owner: nothing fed");
        s.handler.setPaused(false);
        s.handler.setPaused(false);
        assertTrue(s.ch.config().isAutoRead());
        assertEquals(1, s.owner.messages.size());
    }

    // ---------------------------------------------------------------- timers

    @Test
    void clientWritesItsKeepalivePingAfterTheKeepaliveIntervalOfFakeTime() throws Exception {
        End[] ends = established();
        End c = ends[0];
        End s = ends[1];
        advance(29_999);
        assertNull(c.ch.readOutbound(), "nothing before the interval");
        advance(1);
        List<Frame> ping = c.written();
        assertEquals(1, ping.size());
        assertEquals(PacketType.PING, ping.get(0).type());
        assertEquals(0, ping.get(0).seq());

        // the server answers; receiving the PONG does not reset the client's timer
        s.ch.writeInbound(Unpooled.wrappedBuffer(ping.get(0).encode()));
        shuttle(s, c);
        advance(29_999);
        assertNull(c.ch.readOutbound());
        advance(1);
        List<Frame> second = c.written();
        assertEquals(1, second.size());
        assertEquals(PacketType.PING, second.get(0).type());
        assertEquals(1, second.get(0).seq());
        assertTrue(c.ch.isOpen() && s.ch.isOpen());
    }

    @Test
    void clientSendingPostponesTheKeepalive() throws Exception {
        End[] ends = established();
        End c = ends[0];
        advance(20_000);
        c.handler.send(new byte[] {1});
        assertEquals(PacketType.DATA, c.written().get(0).type());
        advance(29_999);
        assertNull(c.ch.readOutbound(), "30 s counted from the last send");
        advance(1);
        assertEquals(PacketType.PING, c.written().get(0).type());
    }

    @Test
    void serverWatchdogClosesWithTimeoutAfterTheSessionTimeoutWithoutInput() throws Exception {
        End[] ends = established();
        End s = ends[1];
        ends[0].ch.close(); // the client goes silent (its channel is gone; nothing reaches the server)
        advance(59_999);
        assertTrue(s.ch.isOpen());
        assertTrue(s.owner.closed.isEmpty());
        advance(1);
        assertEquals(1, s.owner.closed.size());
        EngineEvent.Closed closed = s.owner.closed.get(0);
        assertEquals(CloseReason.TIMEOUT, closed.reason());
        assertTrue(closed.cause() instanceof UsmpTimeoutException);
        assertFalse(s.ch.isOpen(), "the channel is closed");
        assertNull(s.ch.readOutbound(), "fail fast: nothing written");
        advance(120_000);
        assertEquals(1, s.owner.closed.size(), "reported once");
    }

    @Test
    void clientInputResetsTheServerWatchdog() throws Exception {
        End[] ends = established();
        End c = ends[0];
        End s = ends[1];
        advance(50_000);
        c.handler.send(new byte[] {1});
        shuttle(c, s);
        assertEquals(1, s.owner.messages.size());
        advance(59_999);
        assertTrue(s.ch.isOpen(), "60 s from the last input, not from the handshake");
        // (the client's keepalive PINGs stay in the client's outbound queue: the server hears nothing)
        advance(1);
        assertFalse(s.ch.isOpen());
        assertEquals(CloseReason.TIMEOUT, s.owner.closed.get(0).reason());
    }

    @Test
    void serverHandshakeTimeoutClosesASilentConnection() throws Exception {
        End s = server();
        advance(9_999);
        assertTrue(s.ch.isOpen());
        advance(1);
        assertFalse(s.ch.isOpen());
        assertEquals(1, s.owner.closed.size());
        assertEquals(CloseReason.TIMEOUT, s.owner.closed.get(0).reason());
        assertTrue(s.owner.established.isEmpty());
        assertNull(s.ch.readOutbound());
    }

    @Test
    void clientHandshakeTimeoutWhenTheGatewayNeverAnswers() throws Exception {
        End c = client();
        assertEquals(PacketType.HELLO, c.written().get(0).type());
        advance(9_999);
        assertTrue(c.ch.isOpen());
        advance(1);
        assertFalse(c.ch.isOpen());
        assertEquals(CloseReason.TIMEOUT, c.owner.closed.get(0).reason());
        assertNull(c.ch.readOutbound());
    }

    // ---------------------------------------------------------------- closing

    /** Holds writes (as a slow socket would) until {@link #release()}; logs writes and the close. */
    private static final class SlowSocket extends ChannelDuplexHandler {
        final List<String> log = new ArrayList<>();
        private final List<Object[]> held = new ArrayList<>();
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            held.add(new Object[] {msg, promise});
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // the socket is slow: nothing completes until release()
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
            log.add("close");
            super.close(ctx, promise);
        }

        int heldWrites() {
            return held.size();
        }

        void release() {
            for (Object[] w : held) {
                ByteBuf b = (ByteBuf) w[0];
                log.add("written " + (b.getByte(3) == PacketType.BYE.code() ? "BYE" : "type " + b.getByte(3)));
                ctx.write(w[0], (ChannelPromise) w[1]);
            }
            held.clear();
            ctx.flush();
        }
    }

    @Test
    void closeWritesByeAndClosesOnlyOnceItIsWritten() throws Exception {
        SlowSocket socket = new SlowSocket();
        End c = client(socket);
        End s = server();
        socket.release();
        pumpUntilQuiet(c, s);
        socket.release();
        pumpUntilQuiet(c, s);
        assertTrue(c.handler.engine().isEstablished());
        socket.log.clear();

        c.handler.close();
        assertEquals(1, socket.heldWrites(), "BYE queued on the slow socket");
        assertTrue(c.ch.isOpen(), "not closed while BYE is unwritten");
        assertEquals(CloseReason.LOCAL, c.owner.closed.get(0).reason());

        socket.release();
        assertEquals(List.of("written BYE", "close"), socket.log);
        assertFalse(c.ch.isOpen());
        shuttle(c, s);
        assertEquals(CloseReason.PEER_BYE, s.owner.closed.get(0).reason());
        assertFalse(s.ch.isOpen(), "the peer closes on BYE");
        assertNull(s.ch.readOutbound(), "BYE is not answered");
    }

    @Test
    void sendCompletesWhenItsLastFrameIsWritten() throws Exception {
        SlowSocket socket = new SlowSocket();
        End c = client(socket);
        End s = server();
        for (int i = 0; i < 2; i++) {
            socket.release();
            pumpUntilQuiet(c, s);
        }
        CompletableFuture<Void> sent = c.handler.send(pattern(1_000));
        assertEquals(3, socket.heldWrites(), "DATA_FRAG, DATA_FRAG, DATA");
        assertFalse(sent.isDone());
        socket.release();
        assertTrue(sent.isDone() && !sent.isCompletedExceptionally());
        shuttle(c, s);
        assertArrayEquals(pattern(1_000), s.owner.messages.get(0));
        assertEquals(5 * Frame.HEADER_LENGTH + 38 + 32 + 1_000 + 3 * Frame.SEALED_OVERHEAD,
                c.bytesOut.sum(), "HELLO, HELLO_ACK and the message's frames counted");
    }

    @Test
    void sendAfterCloseFailsTheFuture() throws Exception {
        End[] ends = established();
        ends[0].handler.close();
        CompletableFuture<Void> sent = ends[0].handler.send(new byte[] {1});
        assertTrue(sent.isCompletedExceptionally());
    }

    @Test
    void aViolationClosesTheChannelWithNothingWritten() throws Exception {
        End[] ends = established();
        End c = ends[0];
        End s = ends[1];
        c.handler.send("hello world".getBytes());
        byte[] frame = c.writtenBytes();
        frame[frame.length - 1] ^= 1; // the tag
        ByteBuf in = Unpooled.wrappedBuffer(withCrc(frame), new byte[100]);
        s.ch.writeInbound(in);
        assertEquals(1, s.owner.closed.size());
        assertEquals(CloseReason.CRYPTO, s.owner.closed.get(0).reason());
        assertTrue(s.owner.messages.isEmpty());
        assertFalse(s.ch.isOpen());
        assertNull(s.ch.readOutbound(), "no BYE, no ERROR");
        assertEquals(0, in.refCnt(), "held input released");
        assertTrue(s.handler.engine().keysWiped());
    }

    @Test
    void garbageDuringTheHandshakeClosesWithNothingWritten() throws Exception {
        End s = server();
        s.ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x12, 0x34, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0}));
        assertEquals(CloseReason.BAD_FRAME, s.owner.closed.get(0).reason());
        assertFalse(s.ch.isOpen());
        assertNull(s.ch.readOutbound());
        assertEquals(12, s.bytesIn.sum());
        assertEquals(0, s.bytesOut.sum());
    }

    @Test
    void peerDisconnectIsReportedOnceAndCancelsTheTimers() throws Exception {
        End[] ends = established();
        End s = ends[1];
        s.ch.close();
        assertEquals(1, s.owner.closed.size());
        assertEquals(CloseReason.PEER_DISCONNECTED, s.owner.closed.get(0).reason());
        advance(200_000);
        assertEquals(1, s.owner.closed.size(), "no watchdog after the end");
    }
}
