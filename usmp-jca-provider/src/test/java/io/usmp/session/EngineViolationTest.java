package io.usmp.session;

import io.usmp.handshake.FrameCipher;
import static io.usmp.testing.Frames.withCrc;
import static io.usmp.testing.EnginePair.decode;
import static io.usmp.testing.EnginePair.deliver;
import static io.usmp.testing.EnginePair.drain;
import static io.usmp.testing.EnginePair.establish;
import static io.usmp.testing.EnginePair.events;
import static io.usmp.testing.EnginePair.single;
import static io.usmp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.AuthException;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.CrcException;
import io.usmp.protocol.CryptoException;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.ErrorCode;
import io.usmp.protocol.FrameException;
import io.usmp.protocol.HandshakeException;
import io.usmp.protocol.MagicException;
import io.usmp.protocol.PayloadException;
import io.usmp.protocol.PskResolver;
import io.usmp.protocol.SequenceException;
import io.usmp.protocol.UsmpException;
import io.usmp.protocol.VersionException;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.crypto.X25519Keys;
import io.usmp.testing.EnginePair;
import io.usmp.testing.EnginePair.Direction;
import io.usmp.testing.KnownKeys;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every violation of SPEC §7, injected on the wire into an established or handshaking engine. Each
 * must end the engine with exactly one Closed event carrying the typed cause, write nothing back,
 * deliver nothing of the bad frame and wipe the keys.
 */
class EngineViolationTest {
    private static final UsmpCrypto CRYPTO = UsmpCrypto.defaults();
    private static final DeviceId DEVICE = DeviceId.fromHex("a1b2c3d4e5f6");
    private static final byte[] PSK = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final byte[] OTHER_PSK = hex("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final long T0 = 5_000_000L;
    private static final EngineSettings SETTINGS = EngineSettings.defaults(CRYPTO)
            .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));
    private static final byte[] HELLO_PREFIX = {(byte) 0xCD, (byte) 0xAB, 0x02};

    // ---------------------------------------------------------------- helpers

    /**
     * The fail-fast contract: exactly one Closed event with the expected reason and exactly-typed
     * cause, no Message, nothing written back, keys wiped; later input is ignored.
     */
    private static UsmpException assertFailFast(UsmpEngine e, CloseReason reason, Class<? extends UsmpException> type,
                                                ErrorCode code) throws Exception {
        List<EngineEvent> ev = events(e);
        List<EngineEvent> closes = ev.stream().filter(x -> x instanceof EngineEvent.Closed).toList();
        assertEquals(1, closes.size(), "exactly one Closed event: " + ev);
        assertFalse(ev.stream().anyMatch(x -> x instanceof EngineEvent.Message), "no Message for the bad frame: " + ev);
        assertFalse(ev.stream().anyMatch(x -> x instanceof EngineEvent.Established), "not established: " + ev);
        EngineEvent.Closed c = (EngineEvent.Closed) closes.get(0);
        assertEquals(reason, c.reason());
        assertNotNull(c.cause());
        assertEquals(type, c.cause().getClass(), "cause " + c.cause());
        assertEquals(code, c.cause().code());
        assertEquals(reason, c.cause().reason());
        assertTrue(reason.isViolation());
        assertNull(e.pollOutput(), "zero bytes written back after a violation");
        assertTrue(e.isClosed());
        assertFalse(e.isEstablished());
        assertTrue(e.keysWiped(), "session keys wiped");
        String message = String.valueOf(c.cause().getMessage()).toLowerCase();
        assertFalse(message.contains(HexFormat.of().formatHex(PSK, 0, 8)), "no key material in " + message);

        // the engine stays dead: more input, timers and closes produce nothing
        byte[] more = Frame.of(PacketType.PING, 0, new byte[28]).encode();
        e.receive(more, 0, more.length, T0 + 100_000);
        e.tick(T0 + 1_000_000);
        e.transportClosed(T0 + 1_000_001);
        e.close(T0 + 1_000_002);
        assertNull(e.pollEvent());
        assertNull(e.pollOutput());
        return c.cause();
    }

    private static UsmpException assertFailFastFrom(UsmpEngine e, CloseReason reason, Class<? extends UsmpException> type,
                                                    ErrorCode code, byte[]... injected) throws Exception {
        assertNull(e.pollOutput(), "output drained before injecting");
        assertNull(e.pollEvent(), "events drained before injecting");
        for (byte[] b : injected) {
            e.receive(b, 0, b.length, T0 + 10);
        }
        return assertFailFast(e, reason, type, code);
    }

    private static byte[] frame(PacketType type, int payloadLength) throws Exception {
        return Frame.of(type, 0, new byte[payloadLength]).encode();
    }

    /** An established pair and one valid DATA frame (seq 0, 11 bytes of plaintext) from the target's peer. */
    private static final class Established {
        final EnginePair pair;
        final UsmpEngine target;
        final UsmpEngine peer;
        final byte[] data;

        Established(Direction towards) throws Exception {
            pair = establish(SETTINGS, T0);
            target = pair.receiver(towards);
            peer = pair.sender(towards);
            peer.send("hello world".getBytes(), T0 + 1);
            data = peer.pollOutput();
            assertNull(peer.pollOutput());
            assertEquals(12 + 28 + 11, data.length);
        }

        byte[] tampered(UnaryOperator<byte[]> change) {
            return change.apply(data.clone());
        }
    }

    // ---------------------------------------------------------------- frame layer, established

    @ParameterizedTest
    @EnumSource(Direction.class)
    void badMagic(Direction d) throws Exception {
        Established s = new Established(d);
        assertFailFastFrom(s.target, CloseReason.BAD_FRAME, MagicException.class, ErrorCode.BAD_FRAME,
                s.tampered(b -> { b[1] = (byte) 0xAC; return b; }));
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void crcMismatch(Direction d) throws Exception {
        Established s = new Established(d);
        assertFailFastFrom(s.target, CloseReason.BAD_FRAME, CrcException.class, ErrorCode.BAD_FRAME,
                s.tampered(b -> { b[30] ^= 0x10; return b; }));
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void wrongVersion(Direction d) throws Exception {
        Established s = new Established(d);
        assertFailFastFrom(s.target, CloseReason.VERSION, VersionException.class, ErrorCode.VERSION,
                s.tampered(b -> { b[2] = 0x01; return withCrc(b); }));
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void lengthOver480FromTheHeaderAlone(Direction d) throws Exception {
        Established s = new Established(d);
        byte[] header = Arrays.copyOf(s.data, Frame.HEADER_LENGTH);
        header[8] = (byte) 481;
        header[9] = (byte) (481 >>> 8);
        assertFailFastFrom(s.target, CloseReason.BAD_FRAME, FrameException.class, ErrorCode.BAD_FRAME, header);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x0B, 0xFF})
    void unknownTypeWithValidCrc(int type) throws Exception {
        for (Direction d : Direction.values()) {
            Established s = new Established(d);
            assertFailFastFrom(s.target, CloseReason.BAD_FRAME, FrameException.class, ErrorCode.BAD_FRAME,
                    s.tampered(b -> { b[3] = (byte) type; return withCrc(b); }));
        }
    }

    @ParameterizedTest
    @EnumSource(value = PacketType.class, names = {"HELLO", "CHALLENGE", "HELLO_ACK", "SESSION_OK", "HELLO_RETRY"})
    void handshakeFrameAfterEstablishment(PacketType type) throws Exception {
        Established s = new Established(Direction.CLIENT_TO_SERVER);
        assertFailFastFrom(s.target, CloseReason.BAD_FRAME, FrameException.class, ErrorCode.BAD_FRAME, frame(type, 38));
    }

    @Test
    void goodFramesBeforeABadOneInTheSameReadAreDelivered() throws Exception {
        Established s = new Established(Direction.CLIENT_TO_SERVER);
        s.peer.send(new byte[] {1}, T0 + 2);
        byte[] second = s.peer.pollOutput();
        second[0] = 0;
        byte[] both = Arrays.copyOf(s.data, s.data.length + second.length);
        System.arraycopy(second, 0, both, s.data.length, second.length);
        s.target.receive(both, 0, both.length, T0 + 3);
        List<EngineEvent> ev = events(s.target);
        assertEquals(2, ev.size(), ev.toString());
        assertArrayEquals("hello world".getBytes(), assertInstanceOf(EngineEvent.Message.class, ev.get(0)).payload());
        EngineEvent.Closed c = assertInstanceOf(EngineEvent.Closed.class, ev.get(1));
        assertEquals(MagicException.class, c.cause().getClass());
        assertNull(s.target.pollOutput());
        assertTrue(s.target.keysWiped());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 12, 27})
    void sessionPayloadTooShortForNonceAndTagIsBadLayout(int length) throws Exception {
        Established s = new Established(Direction.CLIENT_TO_SERVER);
        assertFailFastFrom(s.target, CloseReason.BAD_FRAME, FrameException.class, ErrorCode.BAD_FRAME,
                frame(PacketType.DATA, length));
    }

    // ---------------------------------------------------------------- sequence

    @ParameterizedTest
    @EnumSource(Direction.class)
    void seqSkip(Direction d) throws Exception {
        Established s = new Established(d);
        s.peer.send(new byte[] {2}, T0 + 2);
        byte[] seq1 = s.peer.pollOutput();
        assertFailFastFrom(s.target, CloseReason.SEQUENCE, SequenceException.class, ErrorCode.SEQ, seq1);
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void seqReplay(Direction d) throws Exception {
        Established s = new Established(d);
        s.target.receive(s.data, 0, s.data.length, T0 + 2);
        assertInstanceOf(EngineEvent.Message.class, s.target.pollEvent());
        assertFailFastFrom(s.target, CloseReason.SEQUENCE, SequenceException.class, ErrorCode.SEQ, s.data);
    }

    @Test
    void seqFieldTamperedWithValidCrc() throws Exception {
        Established s = new Established(Direction.CLIENT_TO_SERVER);
        assertFailFastFrom(s.target, CloseReason.SEQUENCE, SequenceException.class, ErrorCode.SEQ,
                s.tampered(b -> { b[7] = 0x01; return withCrc(b); }));
    }

    // ---------------------------------------------------------------- AEAD

    @ParameterizedTest
    @EnumSource(Direction.class)
    void tamperedCiphertext(Direction d) throws Exception {
        Established s = new Established(d);
        assertFailFastFrom(s.target, CloseReason.CRYPTO, CryptoException.class, ErrorCode.CRYPTO,
                s.tampered(b -> { b[12 + 12] ^= 0x01; return withCrc(b); }));
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void tamperedTag(Direction d) throws Exception {
        Established s = new Established(d);
        assertFailFastFrom(s.target, CloseReason.CRYPTO, CryptoException.class, ErrorCode.CRYPTO,
                s.tampered(b -> { b[b.length - 1] ^= (byte) 0x80; return withCrc(b); }));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 4, 11})
    void tamperedCarriedNonce(int nonceByte) throws Exception {
        // bytes 0..3: the seq part, 4..11: the session-id part
        for (Direction d : Direction.values()) {
            Established s = new Established(d);
            assertFailFastFrom(s.target, CloseReason.CRYPTO, CryptoException.class, ErrorCode.CRYPTO,
                    s.tampered(b -> { b[12 + nonceByte] ^= 0x01; return withCrc(b); }));
        }
    }

    @ParameterizedTest
    @EnumSource(value = PacketType.class, names = {"DATA_FRAG", "PING", "PONG", "BYE"})
    void tamperedHeaderTypeFailsTheAad(PacketType type) throws Exception {
        for (Direction d : Direction.values()) {
            Established s = new Established(d);
            assertFailFastFrom(s.target, CloseReason.CRYPTO, CryptoException.class, ErrorCode.CRYPTO,
                    s.tampered(b -> { b[3] = (byte) type.code(); return withCrc(b); }));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, +1})
    void lengthConsistentPayloadChangeFailsTheAad(int delta) throws Exception {
        Established s = new Established(Direction.CLIENT_TO_SERVER);
        byte[] changed = Arrays.copyOf(s.data, s.data.length + delta);
        int length = changed.length - Frame.HEADER_LENGTH;
        changed[8] = (byte) length;
        changed[9] = (byte) (length >>> 8);
        assertFailFastFrom(s.target, CloseReason.CRYPTO, CryptoException.class, ErrorCode.CRYPTO, withCrc(changed));
    }

    @Test
    void frameSealedWithTheWrongDirectionKey() throws Exception {
        // a reflected frame (the server's own DATA sent back to it) uses k_s2c: the server opens with k_c2s
        EnginePair p = establish(SETTINGS, T0);
        p.server.send("mirror".getBytes(), T0);
        byte[] own = p.server.pollOutput();
        assertFailFastFrom(p.server, CloseReason.CRYPTO, CryptoException.class, ErrorCode.CRYPTO, own);
    }

    // ---------------------------------------------------------------- reassembly and control frames

    @ParameterizedTest
    @EnumSource(Direction.class)
    void fourDataFragsInARow(Direction d) throws Exception {
        KnownKeys k = new KnownKeys(T0);
        UsmpEngine target = k.pair.receiver(d);
        FrameCipher cipher = d == Direction.CLIENT_TO_SERVER ? k.c2s : k.s2c;
        for (int seq = 0; seq < 3; seq++) {
            byte[] f = KnownKeys.seal(cipher, PacketType.DATA_FRAG, seq, new byte[452]);
            target.receive(f, 0, f.length, T0);
        }
        assertNull(target.pollEvent());
        assertTrue(target.isEstablished());
        assertFailFastFrom(target, CloseReason.PAYLOAD, PayloadException.class, ErrorCode.BAD_FRAME,
                KnownKeys.seal(cipher, PacketType.DATA_FRAG, 3, new byte[1]));
    }

    @Test
    void threeDataFragsAndDataIsTheLargestMessage() throws Exception {
        KnownKeys k = new KnownKeys(T0);
        for (int seq = 0; seq < 4; seq++) {
            byte[] f = KnownKeys.seal(k.c2s, seq < 3 ? PacketType.DATA_FRAG : PacketType.DATA, seq, new byte[] {(byte) seq});
            k.pair.server.receive(f, 0, f.length, T0);
        }
        assertArrayEquals(new byte[] {0, 1, 2, 3},
                assertInstanceOf(EngineEvent.Message.class, k.pair.server.pollEvent()).payload());
        // the counter restarts after DATA
        for (int seq = 4; seq < 8; seq++) {
            byte[] f = KnownKeys.seal(k.c2s, seq < 7 ? PacketType.DATA_FRAG : PacketType.DATA, seq, new byte[0]);
            k.pair.server.receive(f, 0, f.length, T0);
        }
        assertArrayEquals(new byte[0], assertInstanceOf(EngineEvent.Message.class, k.pair.server.pollEvent()).payload());
        assertTrue(k.pair.server.isEstablished());
    }

    @ParameterizedTest
    @EnumSource(value = PacketType.class, names = {"PING", "PONG", "BYE"})
    void controlFrameDuringReassembly(PacketType control) throws Exception {
        for (Direction d : Direction.values()) {
            KnownKeys k = new KnownKeys(T0);
            UsmpEngine target = k.pair.receiver(d);
            FrameCipher cipher = d == Direction.CLIENT_TO_SERVER ? k.c2s : k.s2c;
            byte[] frag = KnownKeys.seal(cipher, PacketType.DATA_FRAG, 0, new byte[452]);
            target.receive(frag, 0, frag.length, T0);
            assertNull(target.pollEvent());
            UsmpException e = assertFailFastFrom(target, CloseReason.SEQUENCE, SequenceException.class, ErrorCode.SEQ,
                    KnownKeys.seal(cipher, control, 1, new byte[0]));
            assertTrue(e.getMessage().contains("half received"), "the reassembly rule, not a seq mismatch: " + e);
        }
    }

    @Test
    void pingFromARealClientDuringReassembly() throws Exception {
        // A real client never interleaves a PING into a message, so splice two identically keyed runs
        // (same fixed inputs, same keys and session id): DATA_FRAG seq 0 of a 2-frame message from the
        // first, then the PING the second client sends at seq 1 after a 1-frame message.
        KnownKeys k = new KnownKeys(T0);
        k.pair.client.send(new byte[900], T0);
        List<byte[]> frags = drain(k.pair.client);
        assertEquals(2, frags.size());
        KnownKeys k2 = new KnownKeys(T0);
        k2.pair.client.send(new byte[1], T0);
        k2.pair.client.ping(T0);
        List<byte[]> other = drain(k2.pair.client);
        assertEquals(PacketType.PING.code(), other.get(1)[3]);
        k.pair.server.receive(frags.get(0), 0, frags.get(0).length, T0);
        assertFailFastFrom(k.pair.server, CloseReason.SEQUENCE, SequenceException.class, ErrorCode.SEQ, other.get(1));
    }

    @Test
    void pingFloodMoreThanEightWithinOneSecond() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        for (int i = 0; i < 8; i++) {
            p.client.ping(T0 + 100 + i * 124);
            deliver(drain(p.client), p.server, T0 + 100 + i * 124);
            assertEquals(PacketType.PONG, single(p.server).type(), "PING " + (i + 1) + " answered");
            assertNull(p.server.pollEvent());
        }
        p.client.ping(T0 + 100 + 8 * 124); // the 9th within 992 ms
        assertFailFastFrom(p.server, CloseReason.SEQUENCE, SequenceException.class, ErrorCode.SEQ, p.client.pollOutput());
    }

    @Test
    void pingsSpacedTwoHundredMillisecondsApartAreFine() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        for (int i = 0; i < 10; i++) { // 10 PINGs over 1.8 s: never more than 6 in any second
            long now = T0 + 100 + i * 200L;
            p.client.ping(now);
            deliver(drain(p.client), p.server, now);
            Frame pong = single(p.server);
            assertEquals(PacketType.PONG, pong.type());
            p.client.receive(pong.encode(), 0, pong.encode().length, now);
        }
        assertTrue(p.server.isEstablished());
        assertTrue(p.client.isEstablished());
        assertNull(p.server.pollEvent());
        assertNull(p.client.pollEvent());
    }

    @Test
    void idlePingerIsNotKilledByAnEightInARowRule() throws Exception {
        // 1.0.x Python servers count "8 in a row"; our rule is a rate, so 30 keepalives with no DATA are fine
        EnginePair p = establish(SETTINGS, T0);
        for (int i = 1; i <= 30; i++) {
            long now = T0 + i * 30_000L;
            p.client.tick(now);
            deliver(drain(p.client), p.server, now);
            deliver(drain(p.server), p.client, now);
        }
        assertTrue(p.server.isEstablished() && p.client.isEstablished());
        assertNull(p.server.pollEvent());
    }

    @Test
    void pongFloodToTheClient() throws Exception {
        KnownKeys k = new KnownKeys(T0);
        for (int seq = 0; seq < 8; seq++) {
            byte[] pong = KnownKeys.seal(k.s2c, PacketType.PONG, seq, new byte[0]);
            k.pair.client.receive(pong, 0, pong.length, T0 + seq * 100L);
        }
        assertNull(k.pair.client.pollEvent());
        assertNull(k.pair.client.pollOutput());
        byte[] ninth = KnownKeys.seal(k.s2c, PacketType.PONG, 8, new byte[0]);
        k.pair.client.receive(ninth, 0, ninth.length, T0 + 800);
        assertFailFast(k.pair.client, CloseReason.SEQUENCE, SequenceException.class, ErrorCode.SEQ);
    }

    // ---------------------------------------------------------------- handshake: authentication

    private static byte[] helloFrom(UsmpEngine client) {
        client.start(T0);
        byte[] hello = client.pollOutput();
        assertNotNull(hello);
        assertEquals(PacketType.HELLO.code(), hello[3]);
        return hello;
    }

    @Test
    void clientPskDiffersServerRefusesHelloAck() throws Exception {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, OTHER_PSK, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        byte[] hello = helloFrom(client);
        server.receive(hello, 0, hello.length, T0);
        deliver(drain(server), client, T0);
        byte[] helloAck = client.pollOutput();
        assertEquals(PacketType.HELLO_ACK.code(), helloAck[3]);
        assertFailFastFrom(server, CloseReason.AUTH, AuthException.class, ErrorCode.AUTH, helloAck);
        assertFalse(client.isClosed(), "the client waits; its own timeout ends it");
    }

    @Test
    void rogueGatewayWithAnotherPskIsRefusedByTheClient() throws Exception {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        byte[] hello = helloFrom(client);
        byte[] pubC = Arrays.copyOfRange(hello, 12 + 6, 12 + 38);
        // the rogue answers like a real gateway but only knows OTHER_PSK
        KeyPair rogue = CRYPTO.generateKeyPair(new SecureRandom());
        byte[] pubS = X25519Keys.rawPublic(rogue.getPublic());
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        byte[] challenge = Frame.of(PacketType.CHALLENGE, 0, concat(nonce, pubS)).encode();
        client.receive(challenge, 0, challenge.length, T0);
        assertEquals(PacketType.HELLO_ACK.code(), client.pollOutput()[3]);
        byte[] sessionId = new byte[16];
        new SecureRandom().nextBytes(sessionId);
        byte[] mac = CRYPTO.hmacSha256(OTHER_PSK, new byte[] {(byte) 0xCD, (byte) 0xAB, 0x02, 0x04}, nonce, sessionId, pubC, pubS);
        byte[] sessionOk = Frame.of(PacketType.SESSION_OK, 0, concat(sessionId, mac)).encode();
        assertFailFastFrom(client, CloseReason.AUTH, AuthException.class, ErrorCode.AUTH, sessionOk);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15, 16, 47})
    void tamperedSessionOkIsRefusedByTheClient(int index) throws Exception {
        // 0 and 15: the session id the MAC covers; 16 and 47: the MAC itself
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        byte[] hello = helloFrom(client);
        server.receive(hello, 0, hello.length, T0);
        deliver(drain(server), client, T0);
        deliver(drain(client), server, T0);
        byte[] sessionOk = server.pollOutput();
        assertEquals(PacketType.SESSION_OK.code(), sessionOk[3]);
        sessionOk[12 + index] ^= 0x01;
        assertFailFastFrom(client, CloseReason.AUTH, AuthException.class, ErrorCode.AUTH, withCrc(sessionOk));
    }

    @Test
    void unknownDevice() throws Exception {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.of(Map.of(DeviceId.fromHex("000000000001"), PSK)), T0);
        assertFailFastFrom(server, CloseReason.AUTH, AuthException.class, ErrorCode.AUTH, helloFrom(client));
    }

    @Test
    void resolverReturningNull() throws Exception {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, device -> null, T0);
        assertFailFastFrom(server, CloseReason.AUTH, AuthException.class, ErrorCode.AUTH, helloFrom(client));
    }

    @Test
    void resolverReturningAFifteenBytePsk() throws Exception {
        byte[] shortPsk = Arrays.copyOf(PSK, 15);
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, shortPsk, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, device -> shortPsk.clone(), T0);
        assertFailFastFrom(server, CloseReason.AUTH, AuthException.class, ErrorCode.AUTH, helloFrom(client));
    }

    @Test
    void resolverReturningASixteenBytePskIsEnough() {
        byte[] psk16 = Arrays.copyOf(PSK, 16);
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, psk16, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, device -> psk16.clone(), T0);
        EnginePair.handshake(client, server, T0);
    }

    // ---------------------------------------------------------------- handshake: layout

    @ParameterizedTest
    @ValueSource(ints = {0, 6, 37, 39, 54, 480})
    void helloOfWrongLength(int length) throws Exception {
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        assertFailFastFrom(server, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE,
                frame(PacketType.HELLO, length));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 32, 63, 65})
    void challengeOfWrongLength(int length) throws Exception {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        client.start(T0);
        drain(client);
        assertFailFastFrom(client, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE,
                frame(PacketType.CHALLENGE, length));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 31, 33, 48})
    void helloAckOfWrongLength(int length) throws Exception {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        byte[] hello = helloFrom(client);
        server.receive(hello, 0, hello.length, T0);
        drain(server);
        assertFailFastFrom(server, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE,
                frame(PacketType.HELLO_ACK, length));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 16, 47, 49})
    void sessionOkOfWrongLength(int length) throws Exception {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        byte[] hello = helloFrom(client);
        server.receive(hello, 0, hello.length, T0);
        deliver(drain(server), client, T0);
        drain(client);
        assertFailFastFrom(client, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE,
                frame(PacketType.SESSION_OK, length));
    }

    @Test
    void unexpectedFramesDuringTheHandshake() throws Exception {
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        assertFailFastFrom(server, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE,
                frame(PacketType.HELLO_ACK, 32));
        server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        assertFailFastFrom(server, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE,
                frame(PacketType.DATA, 28));
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        client.start(T0);
        drain(client);
        assertFailFastFrom(client, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE,
                frame(PacketType.HELLO, 38));
        UsmpEngine client2 = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        client2.start(T0);
        drain(client2);
        assertFailFastFrom(client2, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE,
                frame(PacketType.SESSION_OK, 48));
    }

    @Test
    void secondHelloIsAViolation() throws Exception {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        byte[] hello = helloFrom(client);
        server.receive(hello, 0, hello.length, T0);
        drain(server);
        assertFailFastFrom(server, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE, hello);
    }

    @Test
    void frameLayerViolationsDuringTheHandshake() throws Exception {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        byte[] hello = helloFrom(client);
        byte[] badMagic = hello.clone();
        badMagic[0] = 0;
        assertFailFastFrom(UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0), CloseReason.BAD_FRAME,
                MagicException.class, ErrorCode.BAD_FRAME, badMagic);
        byte[] badCrc = hello.clone();
        badCrc[20] ^= 1;
        assertFailFastFrom(UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0), CloseReason.BAD_FRAME,
                CrcException.class, ErrorCode.BAD_FRAME, badCrc);
        byte[] badVersion = hello.clone();
        badVersion[2] = 1;
        assertFailFastFrom(UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0), CloseReason.VERSION,
                VersionException.class, ErrorCode.VERSION, withCrc(badVersion));
        byte[] badType = hello.clone();
        badType[3] = (byte) 0xFF;
        assertFailFastFrom(UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0), CloseReason.BAD_FRAME,
                FrameException.class, ErrorCode.BAD_FRAME, withCrc(badType));
        byte[] bigHeader = Arrays.copyOf(hello, 12);
        bigHeader[8] = (byte) 0xE1;
        bigHeader[9] = 0x01;
        assertFailFastFrom(UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0), CloseReason.BAD_FRAME,
                FrameException.class, ErrorCode.BAD_FRAME, bigHeader);
    }

    // ---------------------------------------------------------------- handshake: bad key shares

    /** All-zero and u = 1: both give an all-zero X25519 shared secret with any private key. */
    private static final byte[][] SMALL_ORDER = {new byte[32], hex("0100000000000000000000000000000000000000000000000000000000000000")};

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void smallOrderClientKeyInHello(int which) throws Exception {
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        byte[] hello = Frame.of(PacketType.HELLO, 0, concat(DEVICE.toBytes(), SMALL_ORDER[which])).encode();
        assertFailFastFrom(server, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE, hello);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void smallOrderClientKeyIsRefusedEvenByAPeerThatKnowsThePsk(int which) throws Exception {
        // whatever the point where the server notices, it never completes the handshake
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        byte[] pubC = SMALL_ORDER[which];
        byte[] hello = Frame.of(PacketType.HELLO, 0, concat(DEVICE.toBytes(), pubC)).encode();
        server.receive(hello, 0, hello.length, T0);
        byte[] challenge = server.pollOutput();
        if (challenge != null) {
            byte[] nonce = Arrays.copyOfRange(challenge, 12, 44);
            byte[] pubS = Arrays.copyOfRange(challenge, 44, 76);
            byte[] mac = CRYPTO.hmacSha256(PSK, new byte[] {(byte) 0xCD, (byte) 0xAB, 0x02, 0x03}, nonce, DEVICE.toBytes(), pubC, pubS);
            server.receive(Frame.of(PacketType.HELLO_ACK, 0, mac).encode(), 0, 44, T0);
        }
        assertFailFast(server, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void smallOrderServerKeyInChallenge(int which) throws Exception {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        client.start(T0);
        drain(client);
        byte[] challenge = Frame.of(PacketType.CHALLENGE, 0, concat(new byte[32], SMALL_ORDER[which])).encode();
        assertFailFastFrom(client, CloseReason.HANDSHAKE, HandshakeException.class, ErrorCode.NONE, challenge);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
