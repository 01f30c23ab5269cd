package io.usmp.session;

import static io.usmp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.crypto.UsmpKeyAgreementSpec;
import io.usmp.crypto.X25519Keys;
import io.usmp.testing.FixedKeys;
import io.usmp.testing.ScriptedRandom;
import io.usmp.testing.Vectors;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.Test;

/**
 * Replays derived_vectors.json: with its fixed keys, nonce and session id the engines must produce
 * every frame byte for byte, in both directions.
 */
class DerivedSessionTest {
    private static final JsonNode V = Vectors.derived();
    private static final JsonNode IN = V.get("inputs");
    private static final JsonNode FRAMES = V.get("frames");
    private static final UsmpCrypto CRYPTO = UsmpCrypto.defaults();

    private static EngineSettings settings(SecureRandom random, byte[] privateKey) {
        return new EngineSettings(CRYPTO, random, FixedKeys.of(CRYPTO, privateKey), Duration.ofSeconds(10),
                Duration.ZERO, Duration.ZERO);
    }

    @Test
    void keyAgreementAndHkdfMatch() throws Exception {
        KeyPair client = FixedKeys.of(CRYPTO, hex(IN.get("client_x25519_private"))).next();
        KeyPair server = FixedKeys.of(CRYPTO, hex(IN.get("server_x25519_private"))).next();
        byte[] pubC = X25519Keys.rawPublic(client.getPublic());
        byte[] pubS = X25519Keys.rawPublic(server.getPublic());
        assertArrayEquals(hex(V.get("pub_c")), pubC);
        assertArrayEquals(hex(V.get("pub_s")), pubS);

        KeyAgreement ka = KeyAgreement.getInstance("USMP", CRYPTO.provider());
        ka.init(client.getPrivate(), new UsmpKeyAgreementSpec(hex(IN.get("challenge_nonce")), pubC, pubS));
        ka.doPhase(server.getPublic(), true);
        byte[] okm = ka.generateSecret();
        assertArrayEquals(hex(V.get("hkdf").get("okm")), okm);
        assertArrayEquals(hex(V.get("k_c2s")), java.util.Arrays.copyOfRange(okm, 0, 32));
        assertArrayEquals(hex(V.get("k_s2c")), java.util.Arrays.copyOfRange(okm, 32, 64));

        // The server side of the agreement yields the same keys.
        byte[] serverOkm = CRYPTO.deriveSessionKeys(server.getPrivate(), pubC,
                new UsmpKeyAgreementSpec(hex(IN.get("challenge_nonce")), pubC, pubS));
        assertArrayEquals(okm, serverOkm);
    }

    @Test
    void transcriptMacsMatch() throws Exception {
        byte[] psk = hex(IN.get("psk"));
        byte[] clientInput = hex(V.get("hmac_client_input"));
        byte[] serverInput = hex(V.get("hmac_server_input"));
        assertEquals(106, clientInput.length);
        assertEquals(116, serverInput.length);
        assertArrayEquals(hex(V.get("hmac_client")), CRYPTO.hmacSha256(psk, clientInput));
        assertArrayEquals(hex(V.get("hmac_server")), CRYPTO.hmacSha256(psk, serverInput));
    }

    @Test
    void wholeSessionByteForByte() throws Exception {
        byte[] psk = hex(IN.get("psk"));
        DeviceId device = DeviceId.of(hex(IN.get("device_id")));
        ScriptedRandom serverRandom = new ScriptedRandom(hex(IN.get("challenge_nonce")), hex(IN.get("session_id")));
        UsmpEngine client = UsmpEngine.client(settings(new ScriptedRandom(), hex(IN.get("client_x25519_private"))), device, psk, 0);
        UsmpEngine server = UsmpEngine.server(settings(serverRandom, hex(IN.get("server_x25519_private"))),
                PskResolver.of(java.util.Map.of(device, psk)), 0);

        client.start(0);
        assertArrayEquals(hex(FRAMES.get("HELLO_tcp")), exchange(client, server));
        assertArrayEquals(hex(FRAMES.get("CHALLENGE")), exchange(server, client));
        assertArrayEquals(hex(FRAMES.get("HELLO_ACK")), exchange(client, server));
        assertArrayEquals(hex(FRAMES.get("SESSION_OK")), exchange(server, client));
        assertTrue(serverRandom.exhausted());
        EngineEvent.Established s = assertInstanceOf(EngineEvent.Established.class, server.pollEvent());
        EngineEvent.Established c = assertInstanceOf(EngineEvent.Established.class, client.pollEvent());
        assertEquals(device, s.deviceId());
        assertArrayEquals(hex(IN.get("session_id")), c.sessionId());

        client.send("hello".getBytes(), 1);
        assertArrayEquals(hex(FRAMES.get("DATA_c2s_seq0_hello")), exchange(client, server));
        assertArrayEquals("hello".getBytes(), message(server));
        server.send("hello".getBytes(), 1);
        assertArrayEquals(hex(FRAMES.get("DATA_s2c_seq0_hello")), exchange(server, client));
        assertArrayEquals("hello".getBytes(), message(client));

        byte[] big = new byte[1800];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
        }
        client.send(big, 2);
        for (JsonNode f : FRAMES.get("fragmented_1800_c2s_starting_seq1")) {
            assertArrayEquals(hex(f.get("frame")), exchange(client, server), "fragment seq " + f.get("seq"));
        }
        assertArrayEquals(big, message(server));

        client.ping(3);
        assertArrayEquals(hex(FRAMES.get("PING_c2s_seq5")), exchange(client, server));
        assertArrayEquals(hex(FRAMES.get("PONG_s2c_seq1")), exchange(server, client));
        assertNull(client.pollEvent());

        for (int i = 0; i < 3; i++) { // seq 6, 7, 8
            client.send(new byte[] {(byte) i}, 4);
            exchange(client, server);
            assertArrayEquals(new byte[] {(byte) i}, message(server));
        }
        client.close(5);
        assertArrayEquals(hex(FRAMES.get("BYE_c2s_seq9")), exchange(client, server));
        assertEquals(CloseReason.LOCAL, assertInstanceOf(EngineEvent.Closed.class, client.pollEvent()).reason());
        assertEquals(CloseReason.PEER_BYE, assertInstanceOf(EngineEvent.Closed.class, server.pollEvent()).reason());
        assertTrue(client.keysWiped());
        assertTrue(server.keysWiped());
    }

    @Test
    void udpFramesAndAcknowledgementsMatch() throws Exception {
        byte[] helloBody = java.util.Arrays.copyOfRange(hex(FRAMES.get("HELLO_tcp")), 12, 12 + 38);
        byte[] cookie = hex(IN.get("udp_cookie"));
        byte[] withCookie = java.util.Arrays.copyOf(helloBody, 54);
        System.arraycopy(cookie, 0, withCookie, 38, 16);
        assertArrayEquals(hex(FRAMES.get("HELLO_with_cookie_udp")),
                io.usmp.wire.Frame.of(io.usmp.wire.PacketType.HELLO, 0, withCookie).encode());
        assertArrayEquals(hex(FRAMES.get("HELLO_RETRY_udp")),
                io.usmp.wire.Frame.of(io.usmp.wire.PacketType.HELLO_RETRY, 0, cookie).encode());

        // UTACK = AC AC ‖ type ‖ seq(u32 LE) [‖ HMAC-SHA256(receive key, those 7 bytes)[0..8) for session frames]
        JsonNode acks = V.get("udp_utack");
        byte[] handshakeAck = {(byte) 0xAC, (byte) 0xAC, 0x01, 0, 0, 0, 0};
        assertArrayEquals(hex(acks.get("handshake_ack_for_HELLO_seq0")), handshakeAck);
        byte[] dataAck = {(byte) 0xAC, (byte) 0xAC, 0x05, 0, 0, 0, 0};
        for (String field : new String[] {"k_c2s", "k_s2c"}) {
            byte[] mac = java.util.Arrays.copyOf(CRYPTO.hmacSha256(hex(V.get(field)), dataAck), 8);
            byte[] ack = java.util.Arrays.copyOf(dataAck, 15);
            System.arraycopy(mac, 0, ack, 7, 8);
            String name = field.equals("k_c2s") ? "session_ack_for_DATA_seq0_sent_by_server (MAC key = server rx_key = k_c2s)"
                    : "session_ack_for_DATA_seq0_sent_by_client (MAC key = client rx_key = k_s2c)";
            assertArrayEquals(hex(acks.get(name)), ack, name);
        }
    }

    /** Moves exactly one frame from one engine to the other and returns its bytes. */
    private static byte[] exchange(UsmpEngine from, UsmpEngine to) {
        byte[] frame = from.pollOutput();
        assertTrue(frame != null, "expected a frame");
        to.receive(frame, 0, frame.length, 1);
        return frame;
    }

    private static byte[] message(UsmpEngine engine) {
        return assertInstanceOf(EngineEvent.Message.class, engine.pollEvent()).payload();
    }
}
