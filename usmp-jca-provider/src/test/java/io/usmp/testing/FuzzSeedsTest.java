package io.usmp.testing;

import static io.usmp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.usmp.wire.PacketType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The seed corpus of the four fuzz targets, made from the golden and derived vectors. Jazzer reads
 * a target's seeds (and committed crash inputs) from
 * {@code src/test/resources/<package>/<TestClass>Inputs/<method>/}; in every build it runs the target
 * over them (regression mode), and a campaign ({@code -Pfuzz}) starts from them.
 *
 * <p>This test checks that the committed {@code seed-*} files are exactly what the code below makes.
 * After changing it, rewrite them with
 * {@code mvn -B -pl usmp-jca-provider test -Dtest=FuzzSeedsTest -Dusmp.fuzz.writeSeeds=true}.
 * Other files in those folders (crash inputs kept as regression tests) are left alone.
 */
class FuzzSeedsTest {
    static final String DECODER = "io/usmp/wire/FrameDecoderFuzzTestInputs/decode";
    static final String SERVER = "io/usmp/session/ServerHandshakeFuzzTestInputs/serverHandshake";
    static final String CLIENT = "io/usmp/session/ClientHandshakeFuzzTestInputs/clientHandshake";
    static final String SESSION = "io/usmp/session/EstablishedSessionFuzzTestInputs/serverSession";

    /** Engine time steps are 16 ms units (EngineOracle.TIME_UNIT_MILLIS); 255 units are about 4 s. */
    private static final int SLOW = 255;

    @Test
    void committedSeedsAreTheGeneratedOnes() throws IOException {
        Path resources = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "resources");
        boolean write = Boolean.getBoolean("usmp.fuzz.writeSeeds");
        Map<String, Map<String, byte[]>> corpus = Map.of(DECODER, decoderSeeds(), SERVER, serverSeeds(), CLIENT,
                clientSeeds(), SESSION, sessionSeeds());
        for (Map.Entry<String, Map<String, byte[]>> target : corpus.entrySet()) {
            Path dir = resources.resolve(target.getKey());
            if (write) {
                Files.createDirectories(dir);
                try (Stream<Path> old = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) old::iterator) {
                        if (p.getFileName().toString().startsWith("seed-")) {
                            Files.delete(p);
                        }
                    }
                }
                for (Map.Entry<String, byte[]> seed : target.getValue().entrySet()) {
                    Files.write(dir.resolve("seed-" + seed.getKey()), seed.getValue());
                }
            }
            Set<String> committed = new TreeSet<>();
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("seed-")).forEach(committed::add);
            }
            Set<String> expected = new TreeSet<>();
            target.getValue().keySet().forEach(n -> expected.add("seed-" + n));
            assertEquals(expected, committed, "seed files in " + dir + " (rewrite with -Dusmp.fuzz.writeSeeds=true)");
            for (Map.Entry<String, byte[]> seed : target.getValue().entrySet()) {
                assertArrayEquals(seed.getValue(), Files.readAllBytes(dir.resolve("seed-" + seed.getKey())),
                        target.getKey() + "/seed-" + seed.getKey());
            }
        }
    }

    @Test
    void vectorsStillMatchTheFramesSeedsAreMadeOf() {
        // The sealed frames made here with k_c2s equal the vectors' where they overlap.
        assertArrayEquals(DerivedSession.frame("DATA_c2s_seq0_hello"), DerivedSession.sealC2s(PacketType.DATA, 0, "hello".getBytes()));
        assertArrayEquals(DerivedSession.frame("PING_c2s_seq5"), DerivedSession.sealC2s(PacketType.PING, 5, new byte[0]));
        assertArrayEquals(DerivedSession.frame("BYE_c2s_seq9"), DerivedSession.sealC2s(PacketType.BYE, 9, new byte[0]));
        assertArrayEquals(DerivedSession.frame("PONG_s2c_seq1"), DerivedSession.sealS2c(PacketType.PONG, 1, new byte[0]));
        assertTrue(new FuzzInput().engineStep(new byte[] {7}, 9).toBytes().length == 3);
        assertArrayEquals(new byte[] {7, 8, 9, 0, 1, 2}, new FuzzInput().decoderStep(new byte[] {7, 8}).decoderStep(new byte[] {9})
                .decoderStep(new byte[0]).toBytes(), "control bytes are read from the end, first step last");
    }

    // ---------------------------------------------------------------- per target

    static Map<String, byte[]> decoderSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode c : Vectors.golden().get("frame_cases")) {
            seeds.put("golden-frame-" + i++, new FuzzInput().decoderSteps(hex(c.get("expected_frame")), 255).toBytes());
        }
        for (Map.Entry<String, JsonNode> f : DerivedSession.V.get("frames").properties()) {
            if (f.getValue().isTextual()) {
                seeds.put("derived-" + f.getKey(), new FuzzInput().decoderSteps(hex(f.getValue()), 255).toBytes());
            }
        }
        List<byte[]> fragments = DerivedSession.fragments();
        for (int k = 0; k < fragments.size(); k++) {
            seeds.put("derived-fragment-seq" + (k + 1), new FuzzInput().decoderSteps(fragments.get(k), 255).toBytes());
        }
        // Whole streams in uneven splits, one byte at a time, and with empty reads in between.
        FuzzInput mixed = new FuzzInput();
        byte[] c2s = concat(clientStream());
        int[] sizes = {1, 7, 11, 12, 13, 255, 2, 40, 100, 3};
        for (int off = 0, k = 0; off < c2s.length; k++) {
            int n = Math.min(sizes[k % sizes.length], c2s.length - off);
            mixed.decoderStep(java.util.Arrays.copyOfRange(c2s, off, off + n));
            off += n;
        }
        seeds.put("c2s-stream-uneven", mixed.toBytes());
        byte[] s2c = concat(List.of(DerivedSession.frame("CHALLENGE"), DerivedSession.frame("SESSION_OK"),
                DerivedSession.frame("DATA_s2c_seq0_hello"), DerivedSession.frame("PONG_s2c_seq1")));
        seeds.put("s2c-stream-bytewise", new FuzzInput().decoderSteps(s2c, 1).toBytes());
        FuzzInput empties = new FuzzInput();
        byte[] bye = DerivedSession.frame("BYE_c2s_seq9");
        for (int off = 0; off < bye.length; off += 5) {
            empties.decoderStep(new byte[0]).decoderStep(java.util.Arrays.copyOfRange(bye, off, Math.min(bye.length, off + 5)));
        }
        seeds.put("bye-with-empty-reads", empties.toBytes());
        return seeds;
    }

    static Map<String, byte[]> serverSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] hello = DerivedSession.frame("HELLO_tcp");
        byte[] ack = DerivedSession.frame("HELLO_ACK");
        seeds.put("hello", new FuzzInput().engineFrame(hello).toBytes());
        seeds.put("hello-helloack", new FuzzInput().engineFrame(hello).engineFrame(ack).toBytes());
        seeds.put("hello-helloack-bytewise", new FuzzInput().engineSteps(hello, 1, 0).engineSteps(ack, 1, 0).toBytes());
        seeds.put("hello-helloack-together", new FuzzInput().engineFrame(concat(List.of(hello, ack))).toBytes());
        seeds.put("hello-udp-cookie", new FuzzInput().engineFrame(DerivedSession.frame("HELLO_with_cookie_udp")).toBytes());
        // HELLO_ACK trickling in over about 12 s: the 10 s handshake timeout.
        FuzzInput slow = new FuzzInput().engineFrame(hello);
        for (int i = 0; i < 3; i++) {
            slow.engineStep(new byte[] {ack[i]}, SLOW);
        }
        seeds.put("hello-slow-helloack", slow.engineStep(java.util.Arrays.copyOfRange(ack, 3, ack.length), 0).toBytes());
        FuzzInput session = new FuzzInput().engineFrame(hello).engineFrame(ack);
        clientStream().subList(2, clientStream().size()).forEach(session::engineFrame);
        seeds.put("whole-client-session", session.toBytes());
        return seeds;
    }

    static Map<String, byte[]> clientSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] challenge = DerivedSession.frame("CHALLENGE");
        byte[] ok = DerivedSession.frame("SESSION_OK");
        seeds.put("challenge", new FuzzInput().engineFrame(challenge).toBytes());
        seeds.put("challenge-sessionok", new FuzzInput().engineFrame(challenge).engineFrame(ok).toBytes());
        seeds.put("challenge-sessionok-bytewise", new FuzzInput().engineSteps(challenge, 1, 0).engineSteps(ok, 1, 0).toBytes());
        seeds.put("hello-retry", new FuzzInput().engineFrame(DerivedSession.frame("HELLO_RETRY_udp")).toBytes());
        seeds.put("server-session", new FuzzInput().engineFrame(challenge).engineFrame(ok)
                .engineFrame(DerivedSession.frame("DATA_s2c_seq0_hello"))
                .engineFrame(DerivedSession.frame("PONG_s2c_seq1"))
                .engineFrame(DerivedSession.sealS2c(PacketType.PING, 2, new byte[0]))
                .engineFrame(DerivedSession.sealS2c(PacketType.DATA_FRAG, 3, fill(452, 1)))
                .engineFrame(DerivedSession.sealS2c(PacketType.DATA, 4, fill(10, 2)))
                .engineFrame(DerivedSession.sealS2c(PacketType.BYE, 5, new byte[0])).toBytes());
        // Messages about 4 s apart: the 30 s keepalive makes the client PING.
        FuzzInput slow = new FuzzInput().engineFrame(challenge).engineFrame(ok);
        for (int seq = 0; seq < 9; seq++) {
            slow.engineSteps(DerivedSession.sealS2c(PacketType.DATA, seq, new byte[] {(byte) seq}), 256, SLOW);
        }
        seeds.put("server-data-slow-keepalive", slow.toBytes());
        return seeds;
    }

    static Map<String, byte[]> sessionSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        List<byte[]> stream = clientStream().subList(2, clientStream().size());
        FuzzInput vectors = new FuzzInput();
        stream.forEach(vectors::engineFrame);
        seeds.put("vectors-session", vectors.toBytes());
        seeds.put("vectors-session-in-17-byte-reads", new FuzzInput().engineSteps(concat(stream), 17, 0).toBytes());
        FuzzInput flood = new FuzzInput();
        for (int seq = 0; seq < 9; seq++) {
            flood.engineFrame(DerivedSession.sealC2s(PacketType.PING, seq, new byte[0]));
        }
        seeds.put("ping-flood", flood.toBytes());
        FuzzInput paced = new FuzzInput();
        for (int seq = 0; seq < 12; seq++) {
            paced.engineSteps(DerivedSession.sealC2s(seq % 2 == 0 ? PacketType.PING : PacketType.PONG, seq, new byte[0]), 256, 80);
        }
        seeds.put("ping-pong-paced", paced.engineFrame(DerivedSession.sealC2s(PacketType.BYE, 12, new byte[0])).toBytes());
        seeds.put("frag-then-ping", new FuzzInput().engineFrame(DerivedSession.sealC2s(PacketType.DATA_FRAG, 0, fill(452, 3)))
                .engineFrame(DerivedSession.sealC2s(PacketType.PING, 1, new byte[0])).toBytes());
        FuzzInput five = new FuzzInput();
        for (int seq = 0; seq < 5; seq++) {
            five.engineFrame(DerivedSession.sealC2s(PacketType.DATA_FRAG, seq, fill(452, seq)));
        }
        seeds.put("five-fragments", five.toBytes());
        FuzzInput largest = new FuzzInput();
        for (int seq = 0; seq < 4; seq++) {
            largest.engineFrame(DerivedSession.sealC2s(seq < 3 ? PacketType.DATA_FRAG : PacketType.DATA, seq, fill(452, 10 + seq)));
        }
        largest.engineFrame(DerivedSession.sealC2s(PacketType.DATA, 4, new byte[0]));
        seeds.put("largest-message-then-empty", largest.toBytes());
        seeds.put("seq-gap", new FuzzInput().engineFrame(DerivedSession.sealC2s(PacketType.DATA, 0, fill(5, 4)))
                .engineFrame(DerivedSession.sealC2s(PacketType.DATA, 2, fill(5, 5))).toBytes());
        seeds.put("bye", new FuzzInput().engineFrame(DerivedSession.sealC2s(PacketType.BYE, 0, new byte[0])).toBytes());
        seeds.put("pong-then-data", new FuzzInput().engineFrame(DerivedSession.sealC2s(PacketType.PONG, 0, new byte[0]))
                .engineFrame(DerivedSession.sealC2s(PacketType.DATA, 1, new byte[0])).toBytes());
        // A frame in one-byte reads about 4 s apart: the 60 s watchdog fires before it completes.
        FuzzInput watchdog = new FuzzInput().engineFrame(DerivedSession.sealC2s(PacketType.DATA, 0, fill(3, 6)));
        byte[] late = DerivedSession.sealC2s(PacketType.DATA, 1, fill(3, 7));
        for (int i = 0; i < 20; i++) {
            watchdog.engineStep(new byte[] {late[i]}, SLOW);
        }
        seeds.put("watchdog", watchdog.toBytes());
        return seeds;
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The client side of the vectors' session as the client engine sends it: HELLO, HELLO_ACK, DATA
     * "hello" (seq 0), the 1800-byte message (seq 1..4), PING (seq 5), one-byte messages 0, 1, 2
     * (seq 6..8), BYE (seq 9).
     */
    static List<byte[]> clientStream() {
        List<byte[]> frames = new java.util.ArrayList<>(List.of(DerivedSession.frame("HELLO_tcp"), DerivedSession.frame("HELLO_ACK"),
                DerivedSession.frame("DATA_c2s_seq0_hello")));
        frames.addAll(DerivedSession.fragments());
        frames.add(DerivedSession.frame("PING_c2s_seq5"));
        for (int i = 0; i < 3; i++) {
            frames.add(DerivedSession.sealC2s(PacketType.DATA, 6 + i, new byte[] {(byte) i}));
        }
        frames.add(DerivedSession.frame("BYE_c2s_seq9"));
        return frames;
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static byte[] fill(int n, int seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }
}
