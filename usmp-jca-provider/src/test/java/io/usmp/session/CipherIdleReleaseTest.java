package io.usmp.session;

import static io.usmp.testing.EnginePair.deliver;
import static io.usmp.testing.EnginePair.drain;
import static io.usmp.testing.EnginePair.message;
import static io.usmp.testing.EnginePair.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.crypto.UsmpCrypto;
import io.usmp.protocol.CloseReason;
import io.usmp.testing.DerivedSession;
import io.usmp.testing.EnginePair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An idle session drops its keyed AES-GCM objects (issue 14: they are a third of what a session
 * that has talked weighs) and keys new ones at its next frame. Time is the explicit value handed
 * to the engines; nothing here waits.
 */
class CipherIdleReleaseTest {
    private static final long T0 = 1_000_000L;
    private static final long RELEASE = 10_000;
    private static final EngineSettings SETTINGS = EngineSettings.defaults(UsmpCrypto.defaults())
            .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60))
            .withCipherIdleRelease(Duration.ofMillis(RELEASE));

    /** What one run of {@link #talk} produced. */
    private record Transcript(List<byte[]> wire, List<byte[]> messages, List<Boolean> holding) {
    }

    /**
     * The derived-vectors session (fixed keys and randomness, so two runs are comparable byte for
     * byte): messages both ways, a pause past the release time, then more messages, a PING and a
     * close. Records every frame written by either side, every message delivered, and whether
     * client and server hold cipher objects after the pause and after the second exchange.
     */
    private static Transcript talk(Duration release) throws Exception {
        UsmpEngine client = DerivedSession.client(T0, release);
        UsmpEngine server = DerivedSession.server(T0, release);
        Transcript t = new Transcript(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        client.start(T0);
        shuttle(client, server, T0, t);
        assertTrue(client.isEstablished() && server.isEstablished());

        client.send(pattern(16), T0 + 1_000);
        server.send(pattern(500), T0 + 1_000);
        shuttle(client, server, T0 + 1_000, t);
        client.tick(T0 + 1_000 + RELEASE);
        server.tick(T0 + 1_000 + RELEASE);
        t.holding.add(client.holdsCiphers());
        t.holding.add(server.holdsCiphers());

        long later = T0 + 2_000 + RELEASE;
        client.send(pattern(1800), later);
        server.ping(later);
        server.send(pattern(16), later);
        shuttle(client, server, later, t);
        t.holding.add(client.holdsCiphers());
        t.holding.add(server.holdsCiphers());
        client.close(later + 1);
        shuttle(client, server, later + 1, t);
        assertTrue(client.isClosed() && server.isClosed() && client.keysWiped() && server.keysWiped());
        return t;
    }

    /** Moves frames both ways until both engines are quiet, recording frames and messages. */
    private static void shuttle(UsmpEngine a, UsmpEngine b, long now, Transcript t) {
        boolean moved = true;
        for (int rounds = 0; moved && rounds < 100; rounds++) {
            moved = false;
            for (UsmpEngine[] d : new UsmpEngine[][] {{a, b}, {b, a}}) {
                for (byte[] f = d[0].pollOutput(); f != null; f = d[0].pollOutput()) {
                    t.wire.add(f);
                    d[1].receive(f, 0, f.length, now);
                    moved = true;
                }
            }
        }
        for (UsmpEngine e : new UsmpEngine[] {a, b}) {
            for (EngineEvent ev = e.pollEvent(); ev != null; ev = e.pollEvent()) {
                if (ev instanceof EngineEvent.Message m) {
                    t.messages.add(m.payload());
                }
            }
        }
    }

    @Test
    void aReleasedAndRekeyedSessionWritesTheSameFramesAsOneThatKeptItsCiphers() throws Exception {
        Transcript released = talk(Duration.ofMillis(RELEASE));
        Transcript kept = talk(Duration.ZERO);

        assertEquals(List.of(false, false, true, true), released.holding, "released when idle, keyed again by the next frames");
        assertEquals(List.of(true, true, true, true), kept.holding, "a zero release time keeps them");
        assertEquals(kept.wire.size(), released.wire.size());
        // handshake 4, first exchange 1 + 2, then 4 + PING + PONG + 1, BYE
        assertEquals(4 + 3 + 7 + 1, kept.wire.size());
        for (int i = 0; i < kept.wire.size(); i++) {
            assertArrayEquals(kept.wire.get(i), released.wire.get(i), "frame " + i);
        }
        List<byte[]> sent = List.of(pattern(16), pattern(500), pattern(1800), pattern(16));
        assertEquals(sent.size(), released.messages.size());
        for (byte[] m : sent) {
            assertTrue(released.messages.stream().anyMatch(r -> Arrays.equals(r, m)), "delivered after re-keying");
        }
    }

    @Test
    void releasedOnlyAfterTheReleaseTimeWithoutASealOrOpen() throws Exception {
        EnginePair p = EnginePair.establish(SETTINGS, T0);
        assertFalse(p.server.holdsCiphers(), "a session that has not talked holds only its keys");
        assertEquals(T0 + 60_000, p.server.nextDeadline(), "nothing to release: the watchdog alone");

        p.client.send(new byte[] {1}, T0 + 1_000);
        deliver(drain(p.client), p.server, T0 + 1_000);
        message(p.server);
        assertTrue(p.server.holdsCiphers());
        assertEquals(T0 + 1_000 + RELEASE, p.server.nextDeadline());
        p.server.send(new byte[] {2}, T0 + 4_000);
        deliver(drain(p.server), p.client, T0 + 4_000);
        message(p.client);
        assertEquals(T0 + 4_000 + RELEASE, p.server.nextDeadline(), "a seal restarts the idle time too");
        assertEquals(T0 + 4_000 + RELEASE, p.client.nextDeadline(), "before the client's keepalive at T0 + 31 s");

        p.server.tick(T0 + 4_000 + RELEASE - 1);
        assertTrue(p.server.holdsCiphers());
        p.server.tick(T0 + 4_000 + RELEASE);
        assertFalse(p.server.holdsCiphers());
        assertTrue(p.server.isEstablished());
        assertNull(p.server.pollOutput(), "a release writes nothing");
        assertNull(p.server.pollEvent());
        assertEquals(T0 + 61_000, p.server.nextDeadline(), "back to the watchdog, counted from the last frame received");

        // The client keeps alive past the release: its PING and the PONG re-key both sides.
        p.client.tick(T0 + 4_000 + RELEASE);
        assertFalse(p.client.holdsCiphers());
        assertEquals(T0 + 31_000, p.client.nextDeadline());
        p.client.tick(T0 + 31_000);
        deliver(drain(p.client), p.server, T0 + 31_000);
        deliver(drain(p.server), p.client, T0 + 31_000);
        assertTrue(p.client.holdsCiphers() && p.server.holdsCiphers());
        assertTrue(p.client.isEstablished() && p.server.isEstablished());
        assertNull(p.client.pollEvent(), "the PONG answered the keepalive");
    }

    @Test
    void notReleasedWhileReadingIsPaused() throws Exception {
        EnginePair p = talked();
        p.server.readingPaused(T0 + 1);
        // Paused, the watchdog and the release wait: a timer then would be the transport's
        // slow-consumer close, which hands over what was read first.
        assertEquals(Long.MAX_VALUE, p.server.nextDeadline());
        p.server.tick(T0 + 2 * RELEASE);
        assertTrue(p.server.holdsCiphers());
        p.server.readingResumed(T0 + 2 * RELEASE);
        assertEquals(T0 + RELEASE, p.server.nextDeadline(), "due at once after the resume");
        p.server.tick(T0 + 2 * RELEASE);
        assertFalse(p.server.holdsCiphers());
        assertTrue(p.server.isEstablished());
    }

    @Test
    void aReleasedSessionStillWipesItsKeysWhenItEnds() throws Exception {
        EnginePair p = talked();
        p.server.tick(T0 + RELEASE);
        assertFalse(p.server.holdsCiphers());
        assertFalse(p.server.keysWiped(), "released, not wiped: the keys stay for the next frame");

        p.server.close(T0 + RELEASE + 1);
        EngineEvent.Closed c = assertInstanceOf(EngineEvent.Closed.class, p.server.pollEvent());
        assertEquals(CloseReason.LOCAL, c.reason());
        assertTrue(p.server.keysWiped());
        assertFalse(p.server.holdsCiphers());
    }

    /** A session whose client sent one message at T0, delivered to the server: both hold their ciphers. */
    private static EnginePair talked() throws Exception {
        EnginePair p = EnginePair.establish(SETTINGS, T0);
        p.client.send(new byte[] {1}, T0);
        deliver(drain(p.client), p.server, T0);
        message(p.server);
        return p;
    }
}
