package io.usmp.session;

import static io.usmp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.HotSpotDiagnosticMXBean;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.testing.FixedKeys;
import io.usmp.testing.ScriptedRandom;
import io.usmp.testing.Vectors;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Map.Entry;
import javax.security.auth.Destroyable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key hygiene checked the way an attacker with a heap dump would: a session with known keys (the
 * derived vectors) runs in memory, and a live-object heap dump is searched for the PSK and both
 * session keys. While the session is open they are found (which shows the search works); after
 * both sides closed and the PSK resolver was destroyed, none is.
 */
class KeyHygieneTest {
    private static final UsmpCrypto CRYPTO = UsmpCrypto.defaults();

    @TempDir
    Path dir;

    /** Both engines plus the resolver, so the test decides when they become unreachable. */
    private static final class Session {
        UsmpEngine client;
        UsmpEngine server;
        PskResolver psks;
    }

    private static Session open() {
        JsonNode in = Vectors.derived().get("inputs");
        byte[] psk = hex(in.get("psk"));
        DeviceId device = DeviceId.of(hex(in.get("device_id")));
        Session s = new Session();
        s.psks = PskResolver.of(Map.of(device, psk));
        s.client = UsmpEngine.client(settings(new ScriptedRandom(), hex(in.get("client_x25519_private"))), device, psk, 0);
        s.server = UsmpEngine.server(settings(new ScriptedRandom(hex(in.get("challenge_nonce")), hex(in.get("session_id"))),
                hex(in.get("server_x25519_private"))), s.psks, 0);
        Arrays.fill(psk, (byte) 0);
        s.client.start(0);
        pump(s);
        assertTrue(s.client.isEstablished() && s.server.isEstablished(), "handshake completed");
        return s;
    }

    private static EngineSettings settings(ScriptedRandom random, byte[] privateKey) {
        return new EngineSettings(CRYPTO, random, FixedKeys.of(CRYPTO, privateKey), Duration.ofSeconds(10), Duration.ZERO,
                Duration.ZERO);
    }

    private static void pump(Session s) {
        boolean moved = true;
        while (moved) {
            moved = move(s.client, s.server) | move(s.server, s.client);
        }
        while (s.client.pollEvent() != null || s.server.pollEvent() != null) {
            // events are not under test here
        }
    }

    private static boolean move(UsmpEngine from, UsmpEngine to) {
        boolean any = false;
        for (byte[] f = from.pollOutput(); f != null; f = from.pollOutput()) {
            to.receive(f, 0, f.length, 1);
            any = true;
        }
        return any;
    }

    /** The secrets to look for, built only after the dump so the test itself holds none of them then. */
    private static Map<String, byte[]> secrets() {
        JsonNode v = Vectors.derived();
        byte[] okm = hex(v.get("hkdf").get("okm"));
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("psk", hex(v.get("inputs").get("psk")));
        m.put("k_c2s", Arrays.copyOfRange(okm, 0, 32));
        m.put("k_s2c", Arrays.copyOfRange(okm, 32, 64));
        return m;
    }

    private Map<String, Integer> hitsInHeapDump(String name) throws Exception {
        Path file = dir.resolve(name + ".hprof");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file.toString(), true);
        byte[] dump = Files.readAllBytes(file);
        Files.delete(file);
        Map<String, Integer> hits = new LinkedHashMap<>();
        for (Entry<String, byte[]> e : secrets().entrySet()) {
            hits.put(e.getKey(), count(dump, e.getValue()));
        }
        return hits;
    }

    private static int count(byte[] haystack, byte[] needle) {
        int n = 0;
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            n++;
        }
        return n;
    }

    @Test
    void noPskOrSessionKeyIsLeftOnTheHeapOnceTheSessionEnded() throws Exception {
        Session s = open();
        Map<String, Integer> open = hitsInHeapDump("open");
        assertTrue(open.get("psk") > 0 && open.get("k_c2s") > 0 && open.get("k_s2c") > 0,
                "while the session is open its secrets are on the heap, so the search finds them: " + open);
        closeAndCheckNothingIsLeft(s);
    }

    @Test
    void noSessionKeyIsLeftEitherAfterTheCiphersWereReleasedAndKeyedAgain() throws Exception {
        Session s = open();
        long idle = EngineSettings.DEFAULT_CIPHER_IDLE_RELEASE.toMillis();
        for (long t = 1; t <= 1 + idle; t += idle) {
            talk(s, t);
            assertTrue(s.client.holdsCiphers() && s.server.holdsCiphers());
            s.client.tick(t + idle);
            s.server.tick(t + idle);
            assertFalse(s.client.holdsCiphers() || s.server.holdsCiphers(), "released when idle");
        }
        Map<String, Integer> released = hitsInHeapDump("released");
        assertTrue(released.get("k_c2s") > 0 && released.get("k_s2c") > 0, "the keys stay for the next frame: " + released);
        talk(s, 3 * idle);
        assertTrue(s.client.holdsCiphers() && s.server.holdsCiphers());
        closeAndCheckNothingIsLeft(s);
    }

    /** One message each way at {@code now}: both directions' ciphers get keyed. */
    private static void talk(Session s, long now) throws Exception {
        s.client.send(new byte[] {1}, now);
        s.server.send(new byte[] {2}, now);
        pump(s);
    }

    private void closeAndCheckNothingIsLeft(Session s) throws Exception {
        s.client.close(2);
        pump(s);
        assertTrue(s.client.isClosed() && s.server.isClosed() && s.client.keysWiped() && s.server.keysWiped());
        ((Destroyable) s.psks).destroy();
        Map<String, Integer> closed = hitsInHeapDump("closed");
        assertEquals(Map.of("psk", 0, "k_c2s", 0, "k_s2c", 0), closed,
                "after close and resolver destroy no copy of a secret is reachable, not even inside the JDK's AES-GCM");
        // The engines themselves are still reachable here: what they hold is wiped, not merely dropped.
        assertTrue(s.client.isClosed());
    }
}
