package io.usmp.handshake;

import static io.usmp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertThrowsExactly;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.protocol.AuthException;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.CryptoException;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.ErrorCode;
import io.usmp.protocol.HandshakeException;
import io.usmp.protocol.PskResolver;
import io.usmp.protocol.UsmpException;
import io.usmp.testing.FixedKeys;
import io.usmp.testing.ScriptedRandom;
import io.usmp.testing.Vectors;
import io.usmp.wire.Frame;
import io.usmp.wire.FrameDecoder;
import io.usmp.wire.PacketType;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The handshake of SPEC §3 on its own: {@link ClientHandshake} and {@link ServerHandshake} passing
 * frames to each other directly, without an engine, a decoder state machine or a clock.
 */
class HandshakeTest {
    private static final UsmpCrypto CRYPTO = UsmpCrypto.defaults();
    private static final DeviceId DEVICE = DeviceId.fromHex("a1b2c3d4e5f6");
    private static final byte[] PSK = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final byte[] OTHER_PSK = hex("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    /** All-zero and u = 1: both give an all-zero X25519 shared secret with any private key. */
    private static final byte[][] SMALL_ORDER = {new byte[32], hex("0100000000000000000000000000000000000000000000000000000000000000")};

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final KeyPairSource FRESH = () -> CRYPTO.generateKeyPair(RANDOM);

    private static ClientHandshake client(byte[] psk) {
        return new ClientHandshake(CRYPTO, DEVICE, psk, FRESH);
    }

    private static ServerHandshake server(PskResolver psks) {
        return new ServerHandshake(CRYPTO, psks, RANDOM, FRESH);
    }

    private static Frame parse(byte[] wire) throws Exception {
        List<Frame> frames = new ArrayList<>();
        new FrameDecoder().decode(wire, 0, wire.length, frames::add);
        assertEquals(1, frames.size());
        return frames.get(0);
    }

    private static byte[] concat(byte[]... parts) {
        byte[] out = new byte[0];
        for (byte[] p : parts) {
            int at = out.length;
            out = Arrays.copyOf(out, at + p.length);
            System.arraycopy(p, 0, out, at, p.length);
        }
        return out;
    }

    /** HELLO, CHALLENGE, HELLO_ACK, SESSION_OK between the two; both have results afterwards. */
    private static void run(ClientHandshake c, ServerHandshake s) throws Exception {
        Frame hello = c.start();
        assertNull(s.start(), "a server waits for HELLO");
        Frame challenge = s.receive(hello);
        Frame ack = c.receive(challenge);
        assertNull(s.result(), "not before SESSION_OK");
        Frame ok = s.receive(ack);
        assertNotNull(s.result(), "the server is done once it sends SESSION_OK");
        assertNull(c.receive(ok), "SESSION_OK is not answered");
    }

    // ---------------------------------------------------------------- success

    @Test
    void clientAndServerAgreeOnSessionAndKeysInBothDirections() throws Exception {
        ClientHandshake c = client(PSK);
        ServerHandshake s = server(PskResolver.shared(PSK));
        run(c, s);
        SessionSecrets cs = c.result();
        SessionSecrets ss = s.result();
        assertEquals(DEVICE, cs.deviceId());
        assertEquals(DEVICE, ss.deviceId());
        assertEquals(DEVICE, s.device());
        assertEquals(16, cs.sessionId().length);
        assertArrayEquals(cs.sessionId(), ss.sessionId());

        byte[] up = "from the device".getBytes();
        byte[] sealedUp = cs.sender().seal(PacketType.DATA, 0, up, 0, up.length);
        assertEquals(up.length + Frame.SEALED_OVERHEAD, sealedUp.length);
        assertArrayEquals(up, ss.receiver().open(PacketType.DATA, 0, sealedUp));

        byte[] down = "from the gateway".getBytes();
        byte[] sealedDown = ss.sender().seal(PacketType.DATA, 7, down, 0, down.length);
        assertArrayEquals(down, cs.receiver().open(PacketType.DATA, 7, sealedDown));

        // one key per direction: a frame does not open with the sender's own receive key
        assertThrows(CryptoException.class, () -> cs.receiver().open(PacketType.DATA, 0, sealedUp));
        // the AAD binds type and seq
        assertThrows(CryptoException.class, () -> ss.receiver().open(PacketType.DATA, 1, sealedUp));
        assertThrows(CryptoException.class, () -> ss.receiver().open(PacketType.DATA_FRAG, 0, sealedUp));
    }

    @Test
    void everyHandshakeFrameIsSentWithSeqZeroAndTheSpecLengths() throws Exception {
        ClientHandshake c = client(PSK);
        ServerHandshake s = server(PskResolver.shared(PSK));
        Frame hello = c.start();
        Frame challenge = s.receive(hello);
        Frame ack = c.receive(challenge);
        Frame ok = s.receive(ack);
        Frame[] frames = {hello, challenge, ack, ok};
        PacketType[] types = {PacketType.HELLO, PacketType.CHALLENGE, PacketType.HELLO_ACK, PacketType.SESSION_OK};
        int[] lengths = {38, 64, 32, 48};
        for (int i = 0; i < 4; i++) {
            assertEquals(types[i], frames[i].type());
            assertEquals(0, frames[i].seq());
            assertEquals(lengths[i], frames[i].length(), types[i].toString());
        }
    }

    @Test
    void psksOfExactlySixteenBytesAreUsable() throws Exception {
        byte[] psk16 = Arrays.copyOf(PSK, 16);
        ClientHandshake c = client(psk16);
        ServerHandshake s = server(d -> psk16.clone());
        run(c, s);
        assertArrayEquals(c.result().sessionId(), s.result().sessionId());
    }

    // ---------------------------------------------------------------- derived vectors

    @Test
    void derivedVectorsAreReproducedByteForByte() throws Exception {
        JsonNode v = Vectors.derived();
        JsonNode in = v.get("inputs");
        JsonNode frames = v.get("frames");
        byte[] psk = hex(in.get("psk"));
        DeviceId device = DeviceId.of(hex(in.get("device_id")));
        ClientHandshake c = new ClientHandshake(CRYPTO, device, psk,
                FixedKeys.of(CRYPTO, hex(in.get("client_x25519_private"))));
        ScriptedRandom serverRandom = new ScriptedRandom(hex(in.get("challenge_nonce")), hex(in.get("session_id")));
        ServerHandshake s = new ServerHandshake(CRYPTO, PskResolver.of(Map.of(device, psk)), serverRandom,
                FixedKeys.of(CRYPTO, hex(in.get("server_x25519_private"))));

        Frame hello = c.start();
        assertArrayEquals(hex(frames.get("HELLO_tcp")), hello.encode(), "HELLO");
        Frame challenge = s.receive(parse(hello.encode()));
        assertArrayEquals(hex(frames.get("CHALLENGE")), challenge.encode(), "CHALLENGE");
        Frame ack = c.receive(parse(challenge.encode()));
        assertArrayEquals(hex(frames.get("HELLO_ACK")), ack.encode(), "HELLO_ACK");
        assertArrayEquals(hex(v.get("hmac_client")), ack.payload());
        Frame ok = s.receive(parse(ack.encode()));
        assertArrayEquals(hex(frames.get("SESSION_OK")), ok.encode(), "SESSION_OK");
        assertNull(c.receive(parse(ok.encode())));
        assertTrue(serverRandom.exhausted(), "nonce and session id drawn, nothing else");

        assertArrayEquals(hex(in.get("session_id")), c.result().sessionId());
        assertArrayEquals(hex(in.get("session_id")), s.result().sessionId());
        byte[] hello5 = "hello".getBytes();
        byte[] up = Frame.of(PacketType.DATA, 0, c.result().sender().seal(PacketType.DATA, 0, hello5, 0, 5)).encode();
        assertArrayEquals(hex(frames.get("DATA_c2s_seq0_hello")), up, "the client's keys are k_c2s / k_s2c");
        byte[] down = Frame.of(PacketType.DATA, 0, s.result().sender().seal(PacketType.DATA, 0, hello5, 0, 5)).encode();
        assertArrayEquals(hex(frames.get("DATA_s2c_seq0_hello")), down, "the server's keys are k_s2c / k_c2s");
    }

    // ---------------------------------------------------------------- authentication

    @Test
    void wrongPskFailsOnTheServerAtHelloAck() throws Exception {
        ClientHandshake c = client(OTHER_PSK);
        ServerHandshake s = server(PskResolver.shared(PSK));
        Frame challenge = s.receive(c.start());
        assertNotNull(challenge, "the server cannot tell before the client proves the PSK");
        Frame ack = c.receive(challenge);
        AuthException e = assertThrowsExactly(AuthException.class, () -> s.receive(ack));
        assertEquals(ErrorCode.AUTH, e.code());
        assertEquals(CloseReason.AUTH, e.reason());
        assertFalse(e.getMessage().toLowerCase().contains(HexFormat.of().formatHex(PSK)), "no key material in messages");
        assertNull(s.result());
    }

    @Test
    void rogueGatewayWithoutThePskFailsOnTheClientAtSessionOk() throws Exception {
        ClientHandshake c = client(PSK);
        // The rogue answers HELLO like a gateway but does not know the device's PSK: it MACs with its own.
        ServerHandshake rogue = server(PskResolver.shared(OTHER_PSK));
        Frame hello = c.start();
        Frame challenge = rogue.receive(hello);
        assertNotNull(c.receive(challenge), "HELLO_ACK");
        byte[] pubC = Arrays.copyOfRange(hello.payload(), 6, 38);
        byte[] nonce = Arrays.copyOfRange(challenge.payload(), 0, 32);
        byte[] pubS = Arrays.copyOfRange(challenge.payload(), 32, 64);
        byte[] sessionId = new byte[16];
        Arrays.fill(sessionId, (byte) 0x5A);
        byte[] mac = CRYPTO.hmacSha256(OTHER_PSK, Frame.prefix(PacketType.SESSION_OK), nonce, sessionId, pubC, pubS);
        Frame forged = Frame.of(PacketType.SESSION_OK, 0, concat(sessionId, mac));
        AuthException e = assertThrowsExactly(AuthException.class, () -> c.receive(forged));
        assertEquals(ErrorCode.AUTH, e.code());
        assertNull(c.result(), "no session with a rogue gateway");
    }

    @Test
    void tamperedSessionIdFailsOnTheClient() throws Exception {
        ClientHandshake c = client(PSK);
        ServerHandshake s = server(PskResolver.shared(PSK));
        Frame ok = s.receive(c.receive(s.receive(c.start())));
        byte[] payload = ok.payload();
        payload[0] ^= 1;
        assertThrowsExactly(AuthException.class, () -> c.receive(Frame.of(PacketType.SESSION_OK, 0, payload)));
        assertNull(c.result());
    }

    @Test
    void unknownDeviceFailsAtHelloAndIsNamedForTheLogs() throws Exception {
        ServerHandshake s = server(d -> null);
        Frame hello = client(PSK).start();
        AuthException e = assertThrowsExactly(AuthException.class, () -> s.receive(hello));
        assertEquals(ErrorCode.AUTH, e.code());
        assertEquals(DEVICE, s.device());
        assertNull(s.result());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15})
    void pskShorterThanSixteenBytesFailsAtHello(int length) throws Exception {
        byte[] shortPsk = Arrays.copyOf(PSK, length);
        ServerHandshake s = server(d -> shortPsk.clone());
        Frame hello = client(PSK).start();
        AuthException e = assertThrowsExactly(AuthException.class, () -> s.receive(hello));
        assertEquals(CloseReason.AUTH, e.reason());
    }

    // ---------------------------------------------------------------- malformed handshakes

    @ParameterizedTest
    @ValueSource(ints = {0, 37, 39, 54})
    void helloOfAnyLengthButThirtyEightIsRefused(int length) throws Exception {
        AtomicReference<DeviceId> asked = new AtomicReference<>();
        ServerHandshake s = server(d -> {
            asked.set(d);
            return PSK.clone();
        });
        byte[] payload = Arrays.copyOf(concat(DEVICE.toBytes(), new byte[32]), length);
        assertThrowsExactly(HandshakeException.class, () -> s.receive(Frame.of(PacketType.HELLO, 0, payload)));
        assertNull(asked.get(), "refused before the PSK is looked up");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 63, 65})
    void challengeOfWrongLengthIsRefused(int length) throws Exception {
        ClientHandshake c = client(PSK);
        c.start();
        assertThrowsExactly(HandshakeException.class, () -> c.receive(Frame.of(PacketType.CHALLENGE, 0, new byte[length])));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 31, 33})
    void helloAckOfWrongLengthIsRefused(int length) throws Exception {
        ServerHandshake s = server(PskResolver.shared(PSK));
        s.receive(client(PSK).start());
        assertThrowsExactly(HandshakeException.class, () -> s.receive(Frame.of(PacketType.HELLO_ACK, 0, new byte[length])));
        assertNull(s.result());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 47, 49})
    void sessionOkOfWrongLengthIsRefused(int length) throws Exception {
        ClientHandshake c = client(PSK);
        ServerHandshake s = server(PskResolver.shared(PSK));
        s.receive(c.receive(s.receive(c.start())));
        assertThrowsExactly(HandshakeException.class, () -> c.receive(Frame.of(PacketType.SESSION_OK, 0, new byte[length])));
        assertNull(c.result());
    }

    @Test
    void serverRefusesAnythingButHelloFirstAndHelloAckSecond() throws Exception {
        for (PacketType wrong : new PacketType[] {PacketType.CHALLENGE, PacketType.HELLO_ACK, PacketType.SESSION_OK,
                PacketType.HELLO_RETRY}) {
            ServerHandshake s = server(PskResolver.shared(PSK));
            assertThrowsExactly(HandshakeException.class, () -> s.receive(Frame.of(wrong, 0, new byte[38])));
        }
        ServerHandshake s = server(PskResolver.shared(PSK));
        Frame hello = client(PSK).start();
        s.receive(hello);
        assertThrowsExactly(HandshakeException.class, () -> s.receive(hello), "a second HELLO");
        ServerHandshake s2 = server(PskResolver.shared(PSK));
        s2.receive(client(PSK).start());
        assertThrowsExactly(HandshakeException.class, () -> s2.receive(Frame.of(PacketType.SESSION_OK, 0, new byte[32])));
    }

    @Test
    void clientRefusesAnythingButChallengeFirstAndSessionOkSecond() throws Exception {
        ClientHandshake c = client(PSK);
        assertThrows(IllegalStateException.class, () -> c.receive(Frame.of(PacketType.CHALLENGE, 0, new byte[64])),
                "start() first");
        c.start();
        assertThrowsExactly(HandshakeException.class, () -> c.receive(Frame.of(PacketType.SESSION_OK, 0, new byte[64])));
        assertThrowsExactly(HandshakeException.class, () -> c.receive(Frame.of(PacketType.HELLO, 0, new byte[64])));

        ClientHandshake c2 = client(PSK);
        ServerHandshake s = server(PskResolver.shared(PSK));
        Frame challenge = s.receive(c2.start());
        c2.receive(challenge);
        assertThrowsExactly(HandshakeException.class, () -> c2.receive(challenge), "a second CHALLENGE");
    }

    @Test
    void completedHandshakesRefuseFurtherFrames() throws Exception {
        ClientHandshake c = client(PSK);
        ServerHandshake s = server(PskResolver.shared(PSK));
        Frame hello = c.start();
        Frame challenge = s.receive(hello);
        Frame ack = c.receive(challenge);
        Frame ok = s.receive(ack);
        c.receive(ok);
        SessionSecrets cs = c.result();
        SessionSecrets ss = s.result();
        assertThrowsExactly(HandshakeException.class, () -> s.receive(ack));
        assertThrowsExactly(HandshakeException.class, () -> c.receive(ok));
        assertSame(cs, c.result(), "the result is not replaced");
        assertSame(ss, s.result());
    }

    // ---------------------------------------------------------------- bad key shares

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void smallOrderClientKeyIsRefusedAtHelloBeforeAnyChallenge(int which) throws Exception {
        ServerHandshake s = server(PskResolver.shared(PSK));
        Frame hello = Frame.of(PacketType.HELLO, 0, concat(DEVICE.toBytes(), SMALL_ORDER[which]));
        HandshakeException e = assertThrowsExactly(HandshakeException.class, () -> s.receive(hello));
        assertEquals(CloseReason.HANDSHAKE, e.reason());
        assertNull(s.result());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void smallOrderServerKeyIsRefusedAtChallengeBeforeAnyHelloAck(int which) throws Exception {
        ClientHandshake c = client(PSK);
        c.start();
        Frame challenge = Frame.of(PacketType.CHALLENGE, 0, concat(new byte[32], SMALL_ORDER[which]));
        assertThrowsExactly(HandshakeException.class, () -> c.receive(challenge));
        assertNull(c.result());
    }

    // ---------------------------------------------------------------- destroy

    @Test
    void destroyWipesThePskTheResolverHandedOverAndTheResultKeepsWorking() throws Exception {
        List<byte[]> handedOut = new ArrayList<>();
        ServerHandshake s = server(d -> {
            byte[] copy = PSK.clone();
            handedOut.add(copy);
            return copy;
        });
        ClientHandshake c = client(PSK);
        run(c, s);
        assertEquals(1, handedOut.size());
        assertArrayEquals(PSK, handedOut.get(0), "held until destroy");
        s.destroy();
        c.destroy();
        assertArrayEquals(new byte[PSK.length], handedOut.get(0), "the PSK copy is zeroed");
        s.destroy(); // idempotent

        // the session's ciphers are the session's: destroying the handshake leaves them usable
        byte[] sealed = c.result().sender().seal(PacketType.PING, 0, new byte[0], 0, 0);
        assertArrayEquals(new byte[0], s.result().receiver().open(PacketType.PING, 0, sealed));
        assertFalse(c.result().sender().isDestroyed());

        c.result().destroy();
        assertTrue(c.result().sender().isDestroyed() && c.result().receiver().isDestroyed());
        assertThrows(UsmpException.class, () -> c.result().sender().seal(PacketType.PING, 1, new byte[0], 0, 0));
    }

    @Test
    void destroyedServerHandshakeCannotFinish() throws Exception {
        List<byte[]> handedOut = new ArrayList<>();
        ServerHandshake s = server(d -> {
            byte[] copy = PSK.clone();
            handedOut.add(copy);
            return copy;
        });
        ClientHandshake c = client(PSK);
        Frame ack = c.receive(s.receive(c.start()));
        s.destroy();
        assertArrayEquals(new byte[PSK.length], handedOut.get(0), "wiped mid-handshake too");
        assertThrows(UsmpException.class, () -> s.receive(ack), "no PSK left to check the MAC with");
        assertNull(s.result());
    }

    @Test
    void destroyedClientHandshakeCannotFinish() throws Exception {
        ClientHandshake c = client(PSK);
        ServerHandshake s = server(PskResolver.shared(PSK));
        Frame ok = s.receive(c.receive(s.receive(c.start())));
        c.destroy();
        assertThrows(UsmpException.class, () -> c.receive(ok), "no PSK left to check the MAC with");
        assertNull(c.result());
    }

    @Test
    void failedHandshakeStillWipesOnDestroy() throws Exception {
        byte[] shortPsk = Arrays.copyOf(PSK, 15);
        ServerHandshake s = server(d -> shortPsk);
        assertThrowsExactly(AuthException.class, () -> s.receive(client(PSK).start()));
        s.destroy();
        assertArrayEquals(new byte[15], shortPsk, "a refused key is wiped as well");
    }
}
