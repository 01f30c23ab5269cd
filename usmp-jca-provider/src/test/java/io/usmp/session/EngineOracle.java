package io.usmp.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.usmp.handshake.FrameCipher;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.Limits;
import io.usmp.protocol.UsmpException;
import io.usmp.testing.DerivedSession;
import io.usmp.wire.Frame;
import io.usmp.wire.FrameDecoder;
import io.usmp.wire.PacketType;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Drives one {@link UsmpEngine} with fuzzer bytes and checks, after every call, that it only ever
 * does what SPEC §3, §4 and §7 allow. Shared by the engine fuzz targets.
 *
 * <p>Input layout (see {@code io.usmp.testing.FuzzInput}): per step {@code n = consumeInt(1, 256)}
 * and {@code dt = consumeInt(0, 255)} from the back, {@code n} bytes from the front; the clock
 * advances by {@code dt * 16 ms}, then {@code receive} and {@code tick} run. At the end the transport
 * closes.
 *
 * <p>Allowed: events Established (once, before anything else), Message (established, at most 1808
 * bytes), Closed (once, last; its cause a typed {@link UsmpException} whose reason matches and is not
 * {@link CloseReason#INTERNAL}). Output: exactly one well-formed frame per {@code pollOutput()}, of a
 * type this role may send at that point, sealed frames with consecutive seqs that the peer's cipher
 * opens; nothing at all once Closed was reported. {@code receive} never throws. Reassembly never holds
 * more than three fragments.
 */
final class EngineOracle {
    static final long T0 = 1_000_000L;
    static final long TIME_UNIT_MILLIS = 16;
    private static final int PAD = 3;
    private static final Field REASSEMBLY;
    private static final Field FRAGMENTS;

    static {
        try {
            REASSEMBLY = UsmpEngine.class.getDeclaredField("reassembly");
            REASSEMBLY.setAccessible(true);
            FRAGMENTS = UsmpEngine.class.getDeclaredField("fragments");
            FRAGMENTS.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    enum Role { CLIENT, SERVER }

    private final UsmpEngine engine;
    private final Role role;
    /** Makes a cipher that opens what this engine seals (the peer's receive direction). */
    private final Supplier<FrameCipher> peerViews;
    /** Made on the first sealed output and destroyed at the end of the run (no key outlives an input). */
    private FrameCipher peerView;
    private final Set<PacketType> handshakeSent = EnumSet.noneOf(PacketType.class);
    private boolean established;
    private boolean closed;
    private long nextTxSeq;
    private long now;

    EngineOracle(UsmpEngine engine, Role role, Supplier<FrameCipher> peerViews, long now) {
        this.engine = engine;
        this.role = role;
        this.peerViews = peerViews;
        this.now = now;
    }

    /** For an engine whose handshake the target completed itself (its events and output already taken). */
    EngineOracle alreadyEstablished() {
        assertTrue(engine.isEstablished());
        established = true;
        handshakeSent.addAll(role == Role.SERVER ? EnumSet.of(PacketType.CHALLENGE, PacketType.SESSION_OK)
                : EnumSet.of(PacketType.HELLO, PacketType.HELLO_ACK));
        return this;
    }

    /** For a started client whose HELLO the target took. */
    EngineOracle helloSent() {
        handshakeSent.add(PacketType.HELLO);
        return this;
    }

    /** Feeds the whole input, then closes the transport and checks the engine stays silent. */
    void run(FuzzedDataProvider data) {
        try {
            feed(data);
        } finally {
            if (peerView != null) {
                peerView.destroy();
            }
        }
    }

    private void feed(FuzzedDataProvider data) {
        while (data.remainingBytes() > 0) {
            int n = data.consumeInt(1, 256);
            int dt = data.consumeInt(0, 255);
            byte[] chunk = data.consumeBytes(n);
            now += dt * TIME_UNIT_MILLIS;
            byte[] padded = new byte[chunk.length + 2 * PAD];
            java.util.Arrays.fill(padded, (byte) 0xCD);
            System.arraycopy(chunk, 0, padded, PAD, chunk.length);
            engine.receive(padded, PAD, chunk.length, now);
            check();
            engine.tick(now);
            check();
        }
        engine.transportClosed(now);
        check();
        assertTrue(closed, "transportClosed() reported no Closed");
        byte[] ping = DerivedSession.frame("PING_c2s_seq5");
        engine.receive(ping, 0, ping.length, now);
        engine.tick(Long.MAX_VALUE / 2);
        engine.close(now);
        check();
    }

    /** Takes every event and output frame queued so far and checks them. */
    void check() {
        EngineEvent event;
        while ((event = engine.pollEvent()) != null) {
            assertFalse(closed, "event after Closed: " + event);
            if (event instanceof EngineEvent.Established e) {
                assertFalse(established, "Established twice");
                established = true;
                assertEquals(DerivedSession.DEVICE, e.deviceId());
                assertArrayEquals(DerivedSession.sessionId(), e.sessionId());
            } else if (event instanceof EngineEvent.Message m) {
                assertTrue(established, "Message before Established");
                assertTrue(m.payload().length <= Limits.MAX_MESSAGE, "message of " + m.payload().length + " bytes");
            } else if (event instanceof EngineEvent.Closed c) {
                closed = true;
                UsmpException cause = c.cause();
                if (c.reason() == CloseReason.INTERNAL) {
                    throw new AssertionError("engine closed with INTERNAL (an unexpected exception inside)", cause);
                }
                assertNotEquals(CloseReason.LOCAL, c.reason(), "closed as LOCAL without close()");
                assertNotNull(cause, "Closed " + c.reason() + " without a cause");
                assertEquals(c.reason(), cause.reason(), "Closed reason differs from its cause's");
            }
        }
        if (closed) {
            assertTrue(engine.isClosed());
            assertFalse(engine.isEstablished());
            assertTrue(engine.keysWiped(), "keys not wiped after Closed");
            assertNull(engine.pollOutput(), "output after Closed");
            return;
        }
        assertEquals(established, engine.isEstablished());
        byte[] out;
        while ((out = engine.pollOutput()) != null) {
            checkOutput(out);
        }
        checkBounds();
    }

    private void checkOutput(byte[] wire) {
        List<Frame> frames = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder();
        try {
            decoder.decode(wire, 0, wire.length, frames::add);
        } catch (UsmpException e) {
            throw new AssertionError("engine wrote a malformed frame", e);
        }
        assertEquals(1, frames.size(), "one pollOutput() must be one frame");
        assertFalse(decoder.hasPartialFrame(), "trailing bytes after the frame");
        Frame f = frames.get(0);
        PacketType type = f.type();
        if (!type.isEncrypted()) {
            assertEquals(0, nextTxSeq, type + " after a sealed frame");
            assertTrue(handshakeSent.add(type), type + " sent twice");
            if (type == PacketType.SESSION_OK) {
                assertTrue(handshakeSent.contains(PacketType.CHALLENGE), "SESSION_OK before CHALLENGE");
                assertTrue(established, "SESSION_OK without Established");
            }
            if (type == PacketType.HELLO_ACK) {
                assertTrue(handshakeSent.contains(PacketType.HELLO), "HELLO_ACK before HELLO");
            }
            assertEquals(0, f.seq(), "handshake frames carry seq 0");
            Set<PacketType> allowed = role == Role.SERVER ? EnumSet.of(PacketType.CHALLENGE, PacketType.SESSION_OK)
                    : EnumSet.of(PacketType.HELLO_ACK);
            assertTrue(allowed.contains(type), role + " sent " + type);
            return;
        }
        assertTrue(established, "sealed " + type + " before Established");
        Set<PacketType> allowed = role == Role.SERVER ? EnumSet.of(PacketType.PONG) : EnumSet.of(PacketType.PONG, PacketType.PING);
        assertTrue(allowed.contains(type), role + " sent " + type + " unprompted");
        assertEquals(nextTxSeq++, f.seq(), "sealed frames use consecutive seqs from 0");
        if (peerView == null) {
            peerView = peerViews.get();
        }
        try {
            assertEquals(0, peerView.open(type, f.seq(), f.payload()).length, type + " carries data");
        } catch (UsmpException e) {
            throw new AssertionError("the peer cannot open " + f, e);
        }
    }

    private void checkBounds() {
        try {
            ByteArrayOutputStream reassembly = (ByteArrayOutputStream) REASSEMBLY.get(engine);
            int buffered = reassembly == null ? 0 : reassembly.size(); // the engine creates it at the first fragment
            int fragments = FRAGMENTS.getInt(engine);
            assertTrue(fragments <= Limits.MAX_FRAGMENTS - 1, fragments + " fragments held");
            assertTrue(buffered <= fragments * Limits.MAX_FRAGMENT, buffered + " bytes held for " + fragments + " fragments");
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
