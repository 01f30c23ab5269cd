package io.usmp.crypto;

import io.usmp.testing.Frames;
import io.usmp.handshake.FrameCipher;
import static io.usmp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.usmp.testing.Vectors;
import io.usmp.wire.Crc16;
import io.usmp.wire.Frame;
import io.usmp.wire.FrameDecoder;
import io.usmp.wire.PacketType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.crypto.Cipher;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every case of the upstream golden_vectors.json. */
class GoldenVectorsTest {
    private static final JsonNode GOLDEN = Vectors.golden();

    private static Stream<JsonNode> cases(String name) {
        JsonNode array = GOLDEN.get(name);
        assertTrue(array != null && array.size() > 0, "no " + name + " in golden vectors");
        return StreamSupport.stream(array.spliterator(), false);
    }

    @TestFactory
    Stream<DynamicTest> crc() {
        return cases("crc_cases").map(c -> DynamicTest.dynamicTest("crc " + c.get("expected_crc").asText(), () ->
                assertEquals(Integer.parseInt(c.get("expected_crc").asText(), 16), Crc16.of(hex(c.get("input"))))));
    }

    @TestFactory
    Stream<DynamicTest> aad() {
        return cases("aad_cases").map(c -> DynamicTest.dynamicTest("aad " + c.get("expected_aad").asText(), () -> {
            assertEquals(Frame.MAGIC, c.get("magic").asInt());
            assertEquals(Frame.VERSION, c.get("version").asInt());
            byte[] aad = Frame.aad(PacketType.fromCode(c.get("type").asInt()), c.get("seq").asLong(), c.get("length").asInt());
            assertArrayEquals(hex(c.get("expected_aad")), aad);
        }));
    }

    @TestFactory
    Stream<DynamicTest> nonce() {
        return cases("nonce_cases").map(c -> DynamicTest.dynamicTest("nonce seq " + c.get("seq").asLong(), () -> {
            Cipher cipher = Cipher.getInstance("USMP", new UsmpProvider());
            cipher.init(Cipher.ENCRYPT_MODE, new SessionKey("AES", new byte[32], 0, 32),
                    Frames.cipherSpec(hex(c.get("session_id")), PacketType.DATA, c.get("seq").asLong(), 0));
            assertArrayEquals(hex(c.get("expected_nonce")), cipher.getIV());
        }));
    }

    @TestFactory
    Stream<DynamicTest> encryption() {
        return cases("encryption_cases").map(c -> DynamicTest.dynamicTest("encrypt seq " + c.get("seq").asLong(), () -> {
            byte[] key = hex(c.get("key"));
            byte[] sid = hex(c.get("session_id"));
            PacketType type = PacketType.fromCode(c.get("type").asInt());
            long seq = c.get("seq").asLong();
            byte[] plaintext = hex(c.get("plaintext"));
            byte[] expected = hex(c.get("expected_ciphertext_tag"));
            assertArrayEquals(hex(c.get("expected_aad")), Frame.aad(type, seq, expected.length));

            FrameCipher sealer = FrameCipher.create(UsmpCrypto.defaults(), key, 0, sid);
            assertArrayEquals(expected, sealer.seal(type, seq, plaintext, 0, plaintext.length));
            FrameCipher opener = FrameCipher.create(UsmpCrypto.defaults(), key, 0, sid);
            assertArrayEquals(plaintext, opener.open(type, seq, expected));
            assertArrayEquals(hex(c.get("expected_nonce")), java.util.Arrays.copyOf(expected, 12));
        }));
    }

    @TestFactory
    Stream<DynamicTest> frames() {
        return cases("frame_cases").map(c -> DynamicTest.dynamicTest("frame type " + c.get("type").asInt(), () -> {
            Frame f = Frame.of(PacketType.fromCode(c.get("type").asInt()), c.get("seq").asLong(), hex(c.get("payload")));
            byte[] wire = f.encode();
            assertArrayEquals(hex(c.get("expected_frame")), wire);
            int crc = (wire[10] & 0xFF) | (wire[11] & 0xFF) << 8;
            assertEquals(Integer.parseInt(c.get("expected_crc").asText(), 16), crc);
            List<Frame> decoded = new ArrayList<>();
            new FrameDecoder().decode(wire, 0, wire.length, decoded::add);
            assertEquals(List.of(f), decoded);
        }));
    }
}
