package io.usmp.transport;

import io.usmp.testing.Frames;
import static io.usmp.transport.Loopback.DEVICE;
import static io.usmp.transport.Loopback.UNKNOWN;
import static io.usmp.transport.Loopback.count;
import static io.usmp.transport.Loopback.total;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.AuthException;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.ConnectionClosedException;
import io.usmp.protocol.CrcException;
import io.usmp.protocol.CryptoException;
import io.usmp.protocol.FrameException;
import io.usmp.protocol.HandshakeException;
import io.usmp.protocol.MagicException;
import io.usmp.protocol.PayloadException;
import io.usmp.protocol.SequenceException;
import io.usmp.ServerStatistics;
import io.usmp.UsmpClient;
import io.usmp.protocol.UsmpException;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.protocol.UsmpTimeoutException;
import io.usmp.protocol.VersionException;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SPEC §7 over a real socket: every violation closes the connection, nothing (no ERROR frame, no
 * reply) is written back after it, the listener learns the typed reason and the statistics count it.
 */
class TcpViolationTest {
    private final Loopback loopback = new Loopback();
    private final Recorder recorder = new Recorder(false);

    @AfterEach
    void tearDown() {
        loopback.close();
    }

    private UsmpServer server() throws Exception {
        return loopback.start(Loopback.config(), recorder);
    }

    // ---------------------------------------------------------------- before the handshake

    enum PreHandshake {
        BAD_MAGIC(MagicException.class, CloseReason.BAD_FRAME) {
            @Override
            byte[] bytes(byte[] hello) {
                return RawDevice.rawFrame(0x1234, Frame.VERSION, 0x01, 0, hello, false);
            }
        },
        BAD_CRC(CrcException.class, CloseReason.BAD_FRAME) {
            @Override
            byte[] bytes(byte[] hello) {
                return RawDevice.rawFrame(Frame.MAGIC, Frame.VERSION, 0x01, 0, hello, true);
            }
        },
        BAD_VERSION(VersionException.class, CloseReason.VERSION) {
            @Override
            byte[] bytes(byte[] hello) {
                return RawDevice.rawFrame(Frame.MAGIC, 0x03, 0x01, 0, hello, false);
            }
        },
        /** Only the 12-byte header claiming 481 bytes: refused without waiting for the payload. */
        LENGTH_OVER_480_HEADER_ONLY(FrameException.class, CloseReason.BAD_FRAME) {
            @Override
            byte[] bytes(byte[] hello) {
                return Arrays.copyOf(RawDevice.rawFrame(Frame.MAGIC, Frame.VERSION, 0x01, 0, new byte[481], false),
                        Frame.HEADER_LENGTH);
            }
        },
        UNKNOWN_TYPE_0B(FrameException.class, CloseReason.BAD_FRAME) {
            @Override
            byte[] bytes(byte[] hello) {
                return RawDevice.rawFrame(Frame.MAGIC, Frame.VERSION, 0x0B, 0, hello, false);
            }
        },
        RESERVED_ERROR_TYPE_FF(FrameException.class, CloseReason.BAD_FRAME) {
            @Override
            byte[] bytes(byte[] hello) {
                return RawDevice.rawFrame(Frame.MAGIC, Frame.VERSION, 0xFF, 0, hello, false);
            }
        };

        final Class<? extends UsmpException> exception;
        final CloseReason reason;

        PreHandshake(Class<? extends UsmpException> exception, CloseReason reason) {
            this.exception = exception;
            this.reason = reason;
        }

        abstract byte[] bytes(byte[] helloPayload);
    }

    @ParameterizedTest
    @EnumSource(PreHandshake.class)
    void malformedFirstFrameClosesSilently(PreHandshake c) throws Exception {
        UsmpServer server = server();
        byte[] hello = RawDevice.hello(DEVICE);
        byte[] helloPayload = Arrays.copyOfRange(hello, Frame.HEADER_LENGTH, hello.length);
        RawDevice raw = loopback.raw(server);
        raw.write(c.bytes(helloPayload));

        assertEquals(0, raw.readUntilClosed().length, "bytes written back");
        Recorder.Failed f = recorder.nextFailed();
        assertSame(c.exception, f.cause().getClass());
        assertEquals(c.reason, f.cause().reason());
        assertNull(f.device(), "HELLO was never read");
        assertEquals(raw.socket().getLocalPort(), f.remote().getPort());
        assertPreSessionFailureCounted(server, c.reason);
    }

    @Test
    void unknownDeviceIsRefusedBeforeAnyReply() throws Exception {
        UsmpServer server = server();
        RawDevice raw = loopback.raw(server);
        raw.write(RawDevice.hello(UNKNOWN));

        assertEquals(0, raw.readUntilClosed().length, "no CHALLENGE for an unknown device");
        Recorder.Failed f = recorder.nextFailed();
        assertSame(AuthException.class, f.cause().getClass());
        assertEquals(UNKNOWN, f.device());
        assertPreSessionFailureCounted(server, CloseReason.AUTH);
    }

    @Test
    void wrongPskClosesAfterHelloAckWithoutSessionOk() throws Exception {
        UsmpServer server = server();
        RawDevice raw = loopback.raw(server);
        raw.helloAndAck(DEVICE, Loopback.WRONG_PSK); // reads exactly the CHALLENGE

        assertEquals(0, raw.readUntilClosed().length, "bytes after HELLO_ACK");
        Recorder.Failed f = recorder.nextFailed();
        assertSame(AuthException.class, f.cause().getClass());
        assertEquals(DEVICE, f.device());
        assertPreSessionFailureCounted(server, CloseReason.AUTH);
    }

    @Test
    void realClientWithWrongPskFailsToConnect() throws Exception {
        UsmpServer server = server();
        UsmpException e = assertThrows(UsmpException.class, () -> loopback.connect(
                io.usmp.ClientConfig.builder("127.0.0.1", server.localAddress().getPort(), DEVICE, Loopback.WRONG_PSK)));
        assertInstanceOf(HandshakeException.class, e);
        assertSame(AuthException.class, recorder.nextFailed().cause().getClass());
        assertPreSessionFailureCounted(server, CloseReason.AUTH);
    }

    private void assertPreSessionFailureCounted(UsmpServer server, CloseReason reason) {
        ServerStatistics s = server.statistics();
        assertEquals(1, count(s.handshakeFailures(), reason), () -> "handshakeFailures " + s.handshakeFailures());
        assertEquals(1, total(s.handshakeFailures()), () -> "handshakeFailures " + s.handshakeFailures());
        assertEquals(0, s.handshakesSucceeded());
        assertEquals(0, s.messagesReceived());
        assertTrue(recorder.sessions.isEmpty() && recorder.messages.isEmpty() && recorder.closed.isEmpty());
    }

    // ---------------------------------------------------------------- after the handshake

    interface Injection {
        void inject(RawDevice d, Recorder r) throws Exception;
    }

    private static final byte[] SECRET = "secret-data".getBytes(StandardCharsets.US_ASCII);

    enum PostHandshake {
        SEQ_SKIP(SequenceException.class, CloseReason.SEQUENCE, (d, r) -> d.write(d.seal(PacketType.DATA, 1, SECRET))),
        REPLAYED_FRAME(SequenceException.class, CloseReason.SEQUENCE, (d, r) -> {
            byte[] first = d.sealNext(PacketType.DATA, "first".getBytes(StandardCharsets.US_ASCII));
            d.write(first);
            assertArrayEquals("first".getBytes(StandardCharsets.US_ASCII), r.nextMessage().payload());
            d.write(first);
        }),
        TAMPERED_CIPHERTEXT(CryptoException.class, CloseReason.CRYPTO, (d, r) -> {
            byte[] f = d.sealNext(PacketType.DATA, SECRET);
            f[Frame.HEADER_LENGTH + 12] ^= 0x01;
            d.write(Frames.withCrc(f));
        }),
        TAMPERED_TAG(CryptoException.class, CloseReason.CRYPTO, (d, r) -> {
            byte[] f = d.sealNext(PacketType.DATA, SECRET);
            f[f.length - 1] ^= 0x01;
            d.write(Frames.withCrc(f));
        }),
        TAMPERED_NONCE(CryptoException.class, CloseReason.CRYPTO, (d, r) -> {
            byte[] f = d.sealNext(PacketType.DATA, SECRET);
            f[Frame.HEADER_LENGTH + 4] ^= 0x01; // session-id part of the carried nonce
            d.write(Frames.withCrc(f));
        }),
        FOUR_DATA_FRAG_WITHOUT_DATA(PayloadException.class, CloseReason.PAYLOAD, (d, r) -> {
            byte[] chunk = new byte[452];
            Arrays.fill(chunk, (byte) 0x5A);
            d.write(d.sealNext(PacketType.DATA_FRAG, chunk), d.sealNext(PacketType.DATA_FRAG, chunk),
                    d.sealNext(PacketType.DATA_FRAG, chunk), d.sealNext(PacketType.DATA_FRAG, chunk));
        }),
        PING_DURING_REASSEMBLY(SequenceException.class, CloseReason.SEQUENCE,
                (d, r) -> d.write(d.sealNext(PacketType.DATA_FRAG, SECRET), d.sealNext(PacketType.PING, new byte[0]))),
        /**
         * Eight PINGs are answered with eight PONGs; the ninth within 1 s is the violation. The ninth
         * goes out only after the PONGs were read: PONGs still queued when a violation arrives in the
         * same read are dropped with the rest of the unsent output (engine design), so sending all
         * nine at once would make the expected reply depend on TCP segmentation.
         */
        PING_FLOOD_OF_9(SequenceException.class, CloseReason.SEQUENCE, (d, r) -> {
            byte[][] pings = new byte[8][];
            for (int i = 0; i < pings.length; i++) {
                pings[i] = d.sealNext(PacketType.PING, new byte[0]);
            }
            d.write(pings);
            for (int i = 0; i < pings.length; i++) {
                assertEquals(PacketType.PONG, d.openFromServer(d.readFrame()));
            }
            d.write(d.sealNext(PacketType.PING, new byte[0]));
        });

        final Class<? extends UsmpException> exception;
        final CloseReason reason;
        final Injection injection;

        PostHandshake(Class<? extends UsmpException> exception, CloseReason reason, Injection injection) {
            this.exception = exception;
            this.reason = reason;
            this.injection = injection;
        }
    }

    @ParameterizedTest
    @EnumSource(PostHandshake.class)
    void violationInEstablishedSessionClosesSilently(PostHandshake c) throws Exception {
        UsmpServer server = server();
        RawDevice raw = loopback.raw(server);
        raw.handshake(DEVICE, Loopback.PSK);
        UsmpSession session = recorder.nextSession();

        c.injection.inject(raw, recorder);

        assertEquals(0, raw.readUntilClosed().length, "bytes written back after the violating frame");
        Recorder.Closed closed = recorder.nextClosed();
        assertSame(session, closed.session());
        assertEquals(c.reason, closed.reason());
        assertSame(c.exception, closed.cause().getClass());
        assertTrue(!session.isOpen());

        // onClosed is delivered after every message of the session, so the message list is final.
        // (REPLAYED_FRAME's valid first message was already taken from the queue.)
        assertEquals(0, recorder.messages.size(), "onMessage with rejected data");
        ServerStatistics s = server.statistics();
        assertEquals(1, s.handshakesSucceeded());
        assertEquals(1, count(s.sessionsClosed(), c.reason), () -> "sessionsClosed " + s.sessionsClosed());
        assertEquals(1, total(s.sessionsClosed()), () -> "sessionsClosed " + s.sessionsClosed());
        assertEquals(c == PostHandshake.REPLAYED_FRAME ? 1 : 0, s.messagesReceived());
        assertEquals(0, s.sessionsOpen());
        assertTrue(server.session(DEVICE).isEmpty());
    }

    // ---------------------------------------------------------------- timers

    @Test
    void watchdogClosesSilentSessionWithTimeout() throws Exception {
        UsmpServer server = loopback.start(Loopback.config().sessionTimeout(Duration.ofMillis(300)), recorder);
        UsmpClient client = loopback.connect(Loopback.client(server, DEVICE).keepalive(Duration.ZERO));

        Recorder.Closed closed = recorder.nextClosed();
        assertEquals(CloseReason.TIMEOUT, closed.reason());
        assertSame(UsmpTimeoutException.class, closed.cause().getClass());
        assertEquals(1, count(server.statistics().sessionsClosed(), CloseReason.TIMEOUT));
        // No BYE on a violation: the device just sees the connection go away.
        UsmpException e = assertThrows(UsmpException.class, () -> client.receive(Loopback.WAIT));
        assertInstanceOf(ConnectionClosedException.class, e);
        assertEquals(CloseReason.PEER_DISCONNECTED, e.reason());
        assertEquals(CloseReason.PEER_DISCONNECTED, client.closeReason());
    }

    @Test
    void clientKeepaliveKeepsSessionAlive() throws Exception {
        Recorder echo = new Recorder(true);
        UsmpServer server = loopback.start(Loopback.config().sessionTimeout(Duration.ofMillis(600)), echo);
        UsmpClient client = loopback.connect(Loopback.client(server, DEVICE).keepalive(Duration.ofMillis(200)));
        Loopback.await("session registered", () -> server.session(DEVICE).isPresent());
        long bytesBefore = server.statistics().bytesReceived();

        // An observation window, not a speed assertion: three session timeouts long.
        assertNull(client.receive(Duration.ofSeconds(2)), "nothing is sent to the client meanwhile");

        assertTrue(echo.closed.isEmpty(), () -> "closed: " + echo.closed);
        assertTrue(client.isOpen());
        assertTrue(server.session(DEVICE).orElseThrow().isOpen());
        long pingBytes = server.statistics().bytesReceived() - bytesBefore;
        assertTrue(pingBytes >= 3 * (Frame.HEADER_LENGTH + 28), "PINGs received: " + pingBytes + " bytes");
        client.send(new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, client.receive(Loopback.WAIT));
        assertEquals(0, total(server.statistics().sessionsClosed()));
    }

    @Test
    void silentConnectionHitsHandshakeTimeout() throws Exception {
        UsmpServer server = loopback.start(Loopback.config().handshakeTimeout(Duration.ofMillis(300)), recorder);
        RawDevice raw = loopback.raw(server);

        assertEquals(0, raw.readUntilClosed().length);
        Recorder.Failed f = recorder.nextFailed();
        assertSame(UsmpTimeoutException.class, f.cause().getClass());
        assertEquals(CloseReason.TIMEOUT, f.cause().reason());
        assertNull(f.device());
        assertPreSessionFailureCounted(server, CloseReason.TIMEOUT);
    }
}
