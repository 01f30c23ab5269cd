package io.usmp.session;

import static io.usmp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.handshake.FrameCipher;
import io.usmp.handshake.ReturnRoutability;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.testing.FixedKeys;
import io.usmp.testing.ScriptedRandom;
import io.usmp.testing.Vectors;
import io.usmp.wire.Datagrams;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine's datagram mode (SPEC §5) against derived_vectors.json and at its edges: UTACKs of
 * both forms, HELLO_RETRY and the cookie HELLO, replay window, forged input, ARQ limits.
 */
class UdpEngineTest {
    private static final JsonNode V = Vectors.derived();
    private static final JsonNode IN = V.get("inputs");
    private static final JsonNode FRAMES = V.get("frames");
    private static final JsonNode UTACK = V.get("udp_utack");
    private static final UsmpCrypto CRYPTO = UsmpCrypto.defaults();
    private static final byte[] PSK = hex(IN.get("psk"));
    private static final DeviceId DEVICE = DeviceId.of(hex(IN.get("device_id")));
    private static final byte[] SESSION_ID = hex(IN.get("session_id"));

    private static EngineSettings settings(SecureRandom random, byte[] privateKey) {
        return new EngineSettings(CRYPTO, random, FixedKeys.of(CRYPTO, privateKey), Duration.ofSeconds(10),
                Duration.ZERO, Duration.ZERO);
    }

    private static String utack(String keyPrefix) {
        java.util.Iterator<String> names = UTACK.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (n.startsWith(keyPrefix)) {
                return UTACK.get(n).asText();
            }
        }
        throw new AssertionError("no vector " + keyPrefix);
    }

    private static List<byte[]> drain(UsmpEngine e) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] d = e.pollOutput(); d != null; d = e.pollOutput()) {
            out.add(d);
        }
        return out;
    }

    private static void feed(UsmpEngine to, List<byte[]> datagrams, long now) {
        for (byte[] d : datagrams) {
            to.receiveDatagram(d, 0, d.length, now);
        }
    }

    private static String h(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** A vector session over datagrams: client and server engines, established, nothing pending. */
    private static final class Pair {
        final UsmpEngine client;
        final UsmpEngine server;

        Pair() {
            client = UsmpEngine.datagramClient(settings(new ScriptedRandom(), hex(IN.get("client_x25519_private"))), DEVICE, PSK, 0);
            server = UsmpEngine.datagramServer(settings(new ScriptedRandom(hex(IN.get("challenge_nonce")), SESSION_ID),
                    hex(IN.get("server_x25519_private"))), PskResolver.of(Map.of(DEVICE, PSK)), 0);
            client.start(0);
            List<byte[]> hello = drain(client);
            assertEquals(1, hello.size());
            assertEquals(h(hex(FRAMES.get("HELLO_tcp"))), h(hello.get(0)), "the cookieless UDP HELLO is the TCP HELLO");
            // The gateway's stateless part answers it (UdpGateway): UTACK and HELLO_RETRY with the vector cookie.
            feed(client, List.of(Datagrams.utackHeader(PacketType.HELLO, 0), hex(FRAMES.get("HELLO_RETRY_udp"))), 1);
            List<byte[]> retry = drain(client);
            assertEquals(List.of("acac0a00000000", h(hex(FRAMES.get("HELLO_with_cookie_udp")))), hexes(retry));
            feed(server, List.of(retry.get(1)), 2);
            List<byte[]> challenge = drain(server);
            assertEquals(List.of(utack("handshake_ack_for_HELLO"), h(hex(FRAMES.get("CHALLENGE")))), hexes(challenge));
            feed(client, challenge, 3);
            List<byte[]> helloAck = drain(client);
            assertEquals(List.of("acac0200000000", h(hex(FRAMES.get("HELLO_ACK")))), hexes(helloAck));
            feed(server, helloAck, 4);
            List<byte[]> sessionOk = drain(server);
            assertEquals(List.of("acac0300000000", h(hex(FRAMES.get("SESSION_OK")))), hexes(sessionOk));
            feed(client, sessionOk, 5);
            List<byte[]> last = drain(client);
            assertEquals(List.of("acac0400000000"), hexes(last));
            feed(server, last, 6);
            assertTrue(drain(server).isEmpty());
            assertInstanceOf(EngineEvent.Established.class, client.pollEvent());
            assertInstanceOf(EngineEvent.Established.class, server.pollEvent());
        }
    }

    private static List<String> hexes(List<byte[]> l) {
        return l.stream().map(UdpEngineTest::h).toList();
    }

    private static FrameCipher cipher(int off) throws Exception {
        byte[] okm = hex(V.get("hkdf").get("okm"));
        return FrameCipher.create(CRYPTO, okm, off, SESSION_ID);
    }

    @Test
    void utackVectorsBothForms() throws Exception {
        assertEquals(utack("handshake_ack_for_HELLO"), h(Datagrams.utackHeader(PacketType.HELLO, 0)));
        // The server acknowledges the client's DATA with its receive key k_c2s; the client the server's with k_s2c.
        assertEquals(utack("session_ack_for_DATA_seq0_sent_by_server"), h(cipher(0).utack(PacketType.DATA, 0)));
        assertEquals(utack("session_ack_for_DATA_seq0_sent_by_client"), h(cipher(32).utack(PacketType.DATA, 0)));
        Datagrams.Utack parsed = Datagrams.parseUtack(hex(utack("session_ack_for_DATA_seq0_sent_by_client")), 0, 15);
        assertTrue(parsed.forSessionFrame());
        assertTrue(cipher(32).verifyUtack(parsed));
        assertFalse(cipher(0).verifyUtack(parsed), "the other direction's key does not verify it");
    }

    @Test
    void wholeUdpSessionReproducesTheVectors() throws Exception {
        Pair p = new Pair();
        p.client.send("hello".getBytes(), 10);
        List<byte[]> data = drain(p.client);
        assertEquals(List.of(h(hex(FRAMES.get("DATA_c2s_seq0_hello")))), hexes(data));
        feed(p.server, data, 11);
        List<byte[]> ack = drain(p.server);
        assertEquals(List.of(utack("session_ack_for_DATA_seq0_sent_by_server")), hexes(ack));
        assertArrayEquals("hello".getBytes(), assertInstanceOf(EngineEvent.Message.class, p.server.pollEvent()).payload());
        feed(p.client, ack, 12);
        assertEquals(0, assertInstanceOf(EngineEvent.Delivered.class, p.client.pollEvent()).seq());

        p.server.send("hello".getBytes(), 13);
        List<byte[]> down = drain(p.server);
        assertEquals(List.of(h(hex(FRAMES.get("DATA_s2c_seq0_hello")))), hexes(down));
        feed(p.client, down, 14);
        assertEquals(List.of(utack("session_ack_for_DATA_seq0_sent_by_client")), hexes(drain(p.client)));
    }

    @Test
    void replayWindowEdges() {
        ReplayWindow w = new ReplayWindow();
        assertEquals(ReplayWindow.Verdict.NEW, w.check(0), "seq 0 first");
        w.accept(0);
        assertEquals(ReplayWindow.Verdict.SEEN, w.check(0), "duplicate of seq 0");
        w.accept(100);
        assertEquals(ReplayWindow.Verdict.NEW, w.check(37), "exactly 63 behind: still inside");
        assertEquals(ReplayWindow.Verdict.TOO_OLD, w.check(36), "exactly 64 behind: outside");
        assertEquals(ReplayWindow.Verdict.TOO_OLD, w.check(0));
        assertEquals(ReplayWindow.Verdict.SEEN, w.check(100));
        // Reordering inside the window: 99 and 37 arrive late, once each.
        assertEquals(ReplayWindow.Verdict.NEW, w.check(99));
        w.accept(99);
        w.accept(37);
        assertEquals(ReplayWindow.Verdict.SEEN, w.check(99));
        assertEquals(ReplayWindow.Verdict.SEEN, w.check(37));
        assertEquals(ReplayWindow.Verdict.NEW, w.check(98));
        assertEquals(ReplayWindow.Verdict.NEW, w.check(0xFFFFFFFFL), "ahead of the window");
        w.accept(164); // 37 is now 127 behind, 101 exactly 63
        assertEquals(ReplayWindow.Verdict.TOO_OLD, w.check(100));
        assertEquals(ReplayWindow.Verdict.NEW, w.check(101));
        w.accept(1000); // a jump beyond the window clears it
        assertEquals(ReplayWindow.Verdict.NEW, w.check(999));
        assertEquals(ReplayWindow.Verdict.SEEN, w.check(1000));
    }

    @Test
    void forgedFrameFailingAeadDoesNotMoveTheWindowNorEndTheSession() throws Exception {
        Pair p = new Pair();
        byte[] forged = Frame.of(PacketType.DATA, 70, new byte[40]).encode(); // valid CRC, garbage AEAD
        feed(p.server, List.of(forged), 20);
        assertTrue(drain(p.server).isEmpty(), "no UTACK for a forged frame");
        assertTrue(p.server.isEstablished());
        // Had the window moved to 70, seq 1 would be 69 behind and dropped; seq 0 and 1 are accepted.
        for (int i = 0; i < 2; i++) {
            p.client.send(new byte[] {(byte) i}, 21);
            List<byte[]> d = drain(p.client);
            feed(p.server, d, 22);
            assertEquals(1, drain(p.server).size(), "UTACK for seq " + i);
            assertArrayEquals(new byte[] {(byte) i}, assertInstanceOf(EngineEvent.Message.class, p.server.pollEvent()).payload());
            feed(p.client, List.of(p.client == null ? null : cipher(0).utack(PacketType.DATA, i)), 23);
            assertInstanceOf(EngineEvent.Delivered.class, p.client.pollEvent());
        }
        assertEquals(1, p.server.datagramsDropped());
    }

    @Test
    void anIdleSessionReleasesItsCiphersAndItsNextFrameAndUtackAreTheSame() throws Exception {
        Pair p = new Pair();
        p.client.send("hello".getBytes(), 10);
        feed(p.server, drain(p.client), 11);
        feed(p.client, drain(p.server), 12);
        assertInstanceOf(EngineEvent.Message.class, p.server.pollEvent());
        assertInstanceOf(EngineEvent.Delivered.class, p.client.pollEvent());
        long idle = EngineSettings.DEFAULT_CIPHER_IDLE_RELEASE.toMillis();
        p.client.tick(12 + idle);
        p.server.tick(12 + idle);
        assertFalse(p.client.holdsCiphers() || p.server.holdsCiphers(), "both idle past the release time");
        assertTrue(drain(p.client).isEmpty() && drain(p.server).isEmpty());

        FrameCipher c2s = cipher(0);
        try {
            p.client.send("again".getBytes(), 13 + idle);
            List<byte[]> again = drain(p.client);
            byte[] expected = Frame.of(PacketType.DATA, 1, c2s.seal(PacketType.DATA, 1, "again".getBytes(), 0, 5)).encode();
            assertEquals(List.of(h(expected)), hexes(again), "sealed by a fresh cipher object, same bytes");
            feed(p.server, again, 14 + idle);
            assertEquals(List.of(h(c2s.utack(PacketType.DATA, 1))), hexes(drain(p.server)));
            assertArrayEquals("again".getBytes(), assertInstanceOf(EngineEvent.Message.class, p.server.pollEvent()).payload());
            assertTrue(p.server.holdsCiphers());
        } finally {
            c2s.destroy();
        }
    }

    @Test
    void duplicatesAreReAcknowledgedNotProcessed() throws Exception {
        Pair p = new Pair();
        p.client.send("x".getBytes(), 10);
        byte[] data = drain(p.client).get(0);
        feed(p.server, List.of(data, data, data), 11);
        assertEquals(3, drain(p.server).size(), "each copy is acknowledged");
        assertInstanceOf(EngineEvent.Message.class, p.server.pollEvent());
        assertNull(p.server.pollEvent(), "delivered once");
        // A duplicate SESSION_OK after establishment is re-acknowledged, nothing else.
        feed(p.client, List.of(hex(FRAMES.get("SESSION_OK"))), 12);
        assertEquals(List.of("acac0400000000"), hexes(drain(p.client)));
        assertTrue(p.client.isEstablished());
    }

    @Test
    void forgedSessionUtackIsIgnored() throws Exception {
        Pair p = new Pair();
        p.client.send("x".getBytes(), 100);
        drain(p.client);
        byte[] good = cipher(0).utack(PacketType.DATA, 0);
        byte[] wrongMac = good.clone();
        wrongMac[14] ^= 1;
        byte[] noMac = Arrays.copyOf(good, 7);
        byte[] otherKey = cipher(32).utack(PacketType.DATA, 0);
        feed(p.client, List.of(wrongMac, noMac, otherKey), 101);
        assertNull(p.client.pollEvent(), "not acknowledged");
        p.client.tick(600);
        assertEquals(1, drain(p.client).size(), "still resent");
        feed(p.client, List.of(good), 601);
        assertEquals(0, assertInstanceOf(EngineEvent.Delivered.class, p.client.pollEvent()).seq());
        assertTrue(p.client.isEstablished());
    }

    @Test
    void seqFfffffffIsDroppedBeforeAuthentication() throws Exception {
        Pair p = new Pair();
        // Sealed with the real client key: even so it is dropped unopened, without UTACK, session open.
        for (PacketType t : new PacketType[] {PacketType.DATA, PacketType.PING}) {
            byte[] payload = cipher(0).seal(t, 0xFFFFFFFFL, new byte[] {1}, 0, t == PacketType.DATA ? 1 : 0);
            feed(p.server, List.of(Frame.of(t, 0xFFFFFFFFL, payload).encode()), 30);
        }
        assertTrue(drain(p.server).isEmpty());
        assertNull(p.server.pollEvent());
        assertTrue(p.server.isEstablished());
    }

    @Test
    void garbageNeverEndsASession() throws Exception {
        Pair p = new Pair();
        byte[] data = Frame.of(PacketType.DATA, 5, new byte[40]).encode();
        byte[] badCrc = data.clone();
        badCrc[11] ^= 1;
        byte[] longer = Arrays.copyOf(data, data.length + 1);
        byte[] shorter = Arrays.copyOf(data, data.length - 1);
        byte[] unknownType = Frame.of(PacketType.DATA, 5, new byte[40]).encode();
        unknownType[3] = 0x0B;
        byte[] hello = hex(FRAMES.get("HELLO_tcp"));
        byte[] tinyPayload = Frame.of(PacketType.DATA, 6, new byte[3]).encode();
        feed(p.server, List.of(badCrc, longer, shorter, unknownType, hello, tinyPayload, new byte[0], new byte[] {(byte) 0xAC},
                new byte[] {(byte) 0xAC, (byte) 0xAC, 5, 0, 0, 0, 0}), 40);
        assertTrue(p.server.isEstablished());
        assertNull(p.server.pollEvent());
        p.client.send("still".getBytes(), 41);
        feed(p.server, drain(p.client), 42);
        assertArrayEquals("still".getBytes(), assertInstanceOf(EngineEvent.Message.class, p.server.pollEvent()).payload());
    }

    @Test
    void aFrameGetsFiveTriesFiveHundredMillisApartThenTheSessionEnds() throws Exception {
        Pair p = new Pair();
        p.client.send("lost".getBytes(), 1000);
        int sends = drain(p.client).size();
        for (long t = 1000; t <= 4000; t += 100) {
            p.client.tick(t);
            sends += drain(p.client).size();
            if (t < 3500) {
                assertTrue(p.client.isEstablished(), "open at " + t);
            }
        }
        assertEquals(5, sends);
        EngineEvent.Closed c = assertInstanceOf(EngineEvent.Closed.class, p.client.pollEvent());
        assertEquals(CloseReason.TIMEOUT, c.reason());
    }

    @Test
    void pausedReadingLeavesDataUnacknowledgedUntilResumed() throws Exception {
        Pair p = new Pair();
        p.server.readingPaused(50);
        p.client.send("wait".getBytes(), 50);
        byte[] data = drain(p.client).get(0);
        feed(p.server, List.of(data), 51);
        assertTrue(drain(p.server).isEmpty(), "not acknowledged while the consumer is full");
        assertNull(p.server.pollEvent());
        p.server.readingResumed(300);
        p.client.tick(550);
        feed(p.server, drain(p.client), 551);
        assertEquals(1, drain(p.server).size());
        assertArrayEquals("wait".getBytes(), assertInstanceOf(EngineEvent.Message.class, p.server.pollEvent()).payload());
    }

    @Test
    void unknownDeviceEndsTheHandshakeOnceAcknowledged() throws Exception {
        UsmpEngine server = UsmpEngine.datagramServer(settings(new SecureRandom(), hex(IN.get("server_x25519_private"))),
                d -> null, 0);
        byte[] hello = hex(FRAMES.get("HELLO_with_cookie_udp"));
        server.receiveDatagram(hello, 0, hello.length, 1);
        assertEquals(List.of("acac0100000000"), hexes(drain(server)), "acknowledged, so the device does not resend it");
        assertEquals(CloseReason.AUTH, assertInstanceOf(EngineEvent.Closed.class, server.pollEvent()).reason());
    }

    @Test
    void badHelloAckIsDroppedAndTheTimedOutHandshakeCountsAsAuthFailure() throws Exception {
        UsmpEngine server = UsmpEngine.datagramServer(settings(new ScriptedRandom(hex(IN.get("challenge_nonce")), SESSION_ID),
                hex(IN.get("server_x25519_private"))), PskResolver.of(Map.of(DEVICE, PSK)), 0);
        feed(server, List.of(hex(FRAMES.get("HELLO_with_cookie_udp"))), 1);
        drain(server);
        byte[] forged = Frame.of(PacketType.HELLO_ACK, 0, new byte[32]).encode();
        feed(server, List.of(forged), 2);
        assertTrue(drain(server).isEmpty(), "not acknowledged");
        assertFalse(server.isClosed(), "a spoofed HELLO_ACK does not end the handshake");
        feed(server, List.of(hex(FRAMES.get("HELLO_ACK"))), 3); // the real one still completes it
        assertInstanceOf(EngineEvent.Established.class, server.pollEvent());

        UsmpEngine other = UsmpEngine.datagramServer(settings(new SecureRandom(), hex(IN.get("server_x25519_private"))),
                PskResolver.of(Map.of(DEVICE, PSK)), 0);
        feed(other, List.of(hex(FRAMES.get("HELLO_with_cookie_udp"))), 1);
        feed(other, List.of(forged), 2);
        for (long t = 0; t <= 10_000; t += 500) {
            other.tick(t);
            drain(other);
        }
        assertEquals(CloseReason.AUTH, assertInstanceOf(EngineEvent.Closed.class, other.pollEvent()).reason());
    }

    @Test
    void cookieValidForTheCurrentAndPreviousBucketOnly() throws Exception {
        ReturnRoutability rr = new ReturnRoutability(CRYPTO, new byte[32]);
        long t = 1_700_000_010L; // bucket 56 666 667 starts at 1 700 000 010
        byte[] c = rr.cookie("127.0.0.7", 4242, t);
        assertEquals(16, c.length);
        assertTrue(rr.verify(c, "127.0.0.7", 4242, t));
        assertTrue(rr.verify(c, "127.0.0.7", 4242, t + 29), "same bucket");
        assertTrue(rr.verify(c, "127.0.0.7", 4242, t + 30), "previous bucket");
        assertTrue(rr.verify(c, "127.0.0.7", 4242, t + 59));
        assertFalse(rr.verify(c, "127.0.0.7", 4242, t + 60), "two buckets old");
        assertFalse(rr.verify(c, "127.0.0.7", 4242, t - 1), "a bucket that has not started");
        assertFalse(rr.verify(c, "127.0.0.7", 4243, t), "other port");
        assertFalse(rr.verify(c, "127.0.0.8", 4242, t), "other address");
        assertFalse(new ReturnRoutability(CRYPTO, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
                .verify(c, "127.0.0.7", 4242, t), "other secret");
        byte[] expected = Arrays.copyOf(CRYPTO.hmacSha256(new byte[32], "127.0.0.7:4242:56666667".getBytes()), 16);
        assertArrayEquals(expected, c, "HMAC(secret, \"<ip>:<port>:<floor(unix_s/30)>\")[0..16)");
    }
}
