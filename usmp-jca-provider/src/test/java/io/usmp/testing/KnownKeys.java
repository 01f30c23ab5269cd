package io.usmp.testing;

import static io.usmp.testing.Vectors.hex;

import com.fasterxml.jackson.databind.JsonNode;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.handshake.FrameCipher;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

/** A session replayed from derived_vectors.json, whose keys the test knows, to craft frames. */
public final class KnownKeys {
    private static final UsmpCrypto CRYPTO = EnginePair.CRYPTO;
    public static final JsonNode V = Vectors.derived();
    public static final JsonNode IN = V.get("inputs");
    public final EnginePair pair;
    public final FrameCipher c2s;
    public final FrameCipher s2c;

    public KnownKeys(long now) throws Exception {
        byte[] psk = hex(IN.get("psk"));
        DeviceId device = DeviceId.of(hex(IN.get("device_id")));
        UsmpEngine client = UsmpEngine.client(settings(new ScriptedRandom(), hex(IN.get("client_x25519_private"))),
                device, psk, now);
        UsmpEngine server = UsmpEngine.server(settings(new ScriptedRandom(hex(IN.get("challenge_nonce")),
                hex(IN.get("session_id"))), hex(IN.get("server_x25519_private"))), PskResolver.of(Map.of(device, psk)), now);
        pair = EnginePair.handshake(client, server, now);
        byte[] okm = hex(V.get("hkdf").get("okm"));
        c2s = FrameCipher.create(CRYPTO, okm, 0, hex(IN.get("session_id")));
        s2c = FrameCipher.create(CRYPTO, okm, 32, hex(IN.get("session_id")));
    }

    private static EngineSettings settings(SecureRandom random, byte[] privateKey) {
        return new EngineSettings(CRYPTO, random, FixedKeys.of(CRYPTO, privateKey), Duration.ofSeconds(10),
                Duration.ZERO, Duration.ZERO);
    }

    /** An encoded session frame sealed with {@code cipher}. */
    public static byte[] seal(FrameCipher cipher, PacketType type, long seq, byte[] plain) throws Exception {
        return Frame.of(type, seq, cipher.seal(type, seq, plain, 0, plain.length)).encode();
    }
}
