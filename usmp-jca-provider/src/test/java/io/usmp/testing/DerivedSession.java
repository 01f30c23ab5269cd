package io.usmp.testing;

import static io.usmp.testing.Vectors.hex;

import com.fasterxml.jackson.databind.JsonNode;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.handshake.FrameCipher;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.protocol.UsmpException;
import io.usmp.protocol.FrameException;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The deterministic session of derived_vectors.json as engines and ciphers with known keys: the
 * client and server engines built from the vectors' private keys, PSK, device id, challenge nonce and
 * session id reproduce every handshake frame byte for byte (see DerivedSessionTest), and the
 * {@link #c2s()}/{@link #s2c()} ciphers seal and open the session frames of either direction.
 */
public final class DerivedSession {
    public static final JsonNode V = Vectors.derived();
    public static final JsonNode IN = V.get("inputs");
    public static final UsmpCrypto CRYPTO = UsmpCrypto.defaults();
    public static final DeviceId DEVICE = DeviceId.of(hex(IN.get("device_id")));
    /** Handshake timeout of the engines below. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Client keepalive of the engines below. */
    public static final Duration KEEPALIVE = Duration.ofSeconds(30);
    /** Server watchdog of the engines below. */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(60);

    private DerivedSession() {
    }

    public static byte[] psk() {
        return hex(IN.get("psk"));
    }

    public static byte[] sessionId() {
        return hex(IN.get("session_id"));
    }

    /** One frame of the vectors' {@code frames} section, e.g. {@code HELLO_tcp}. */
    public static byte[] frame(String name) {
        JsonNode f = V.get("frames").get(name);
        if (f == null) {
            throw new IllegalArgumentException("no frame " + name + " in derived_vectors.json");
        }
        return hex(f);
    }

    /** The four frames (seq 1..4) of the 1800-byte client message. */
    public static List<byte[]> fragments() {
        List<byte[]> out = new ArrayList<>();
        for (JsonNode f : V.get("frames").get("fragmented_1800_c2s_starting_seq1")) {
            out.add(hex(f.get("frame")));
        }
        return out;
    }

    /** A gateway engine that answers the vectors' HELLO with the vectors' CHALLENGE and SESSION_OK. */
    public static UsmpEngine server(long now) {
        return server(now, EngineSettings.DEFAULT_CIPHER_IDLE_RELEASE);
    }

    /** {@link #server(long)} with another {@link EngineSettings#cipherIdleRelease()} (zero: never). */
    public static UsmpEngine server(long now, Duration cipherIdleRelease) {
        SecureRandom random = new ScriptedRandom(hex(IN.get("challenge_nonce")), sessionId());
        EngineSettings settings = new EngineSettings(CRYPTO, random, FixedKeys.of(CRYPTO, hex(IN.get("server_x25519_private"))),
                HANDSHAKE_TIMEOUT, KEEPALIVE, SESSION_TIMEOUT).withCipherIdleRelease(cipherIdleRelease);
        return UsmpEngine.server(settings, PskResolver.of(Map.of(DEVICE, psk())), now);
    }

    /** A device engine that sends the vectors' HELLO and HELLO_ACK (not started). */
    public static UsmpEngine client(long now) {
        return client(now, EngineSettings.DEFAULT_CIPHER_IDLE_RELEASE);
    }

    /** {@link #client(long)} with another {@link EngineSettings#cipherIdleRelease()} (zero: never). */
    public static UsmpEngine client(long now, Duration cipherIdleRelease) {
        EngineSettings settings = new EngineSettings(CRYPTO, new ScriptedRandom(),
                FixedKeys.of(CRYPTO, hex(IN.get("client_x25519_private"))), HANDSHAKE_TIMEOUT, KEEPALIVE, SESSION_TIMEOUT)
                .withCipherIdleRelease(cipherIdleRelease);
        return UsmpEngine.client(settings, DEVICE, psk(), now);
    }

    /**
     * Seals and opens what the client sends (k_c2s). Destroy it after use: KeyHygieneTest, in the same
     * JVM, fails on any reachable copy of these keys.
     */
    public static FrameCipher c2s() {
        return cipher(0);
    }

    /** Seals and opens what the server sends (k_s2c); destroy it after use. */
    public static FrameCipher s2c() {
        return cipher(32);
    }

    /** An encoded client frame sealed with k_c2s (a fresh cipher: SunJCE refuses to seal twice under one nonce). */
    public static byte[] sealC2s(PacketType type, long seq, byte[] plain) {
        return seal(c2s(), type, seq, plain);
    }

    /** An encoded server frame sealed with k_s2c. */
    public static byte[] sealS2c(PacketType type, long seq, byte[] plain) {
        return seal(s2c(), type, seq, plain);
    }

    private static byte[] seal(FrameCipher cipher, PacketType type, long seq, byte[] plain) {
        try {
            return Frame.of(type, seq, cipher.seal(type, seq, plain, 0, plain.length)).encode();
        } catch (FrameException e) {
            throw new IllegalArgumentException(e);
        } catch (UsmpException e) {
            throw new IllegalStateException(e);
        } finally {
            cipher.destroy();
        }
    }

    private static FrameCipher cipher(int off) {
        try {
            return FrameCipher.create(CRYPTO, hex(V.get("hkdf").get("okm")), off, sessionId());
        } catch (UsmpException e) {
            throw new IllegalStateException(e);
        }
    }
}
