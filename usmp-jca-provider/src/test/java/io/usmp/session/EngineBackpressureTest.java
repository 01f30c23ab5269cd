package io.usmp.session;

import io.usmp.testing.EnginePair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.crypto.UsmpCrypto;
import io.usmp.protocol.BackpressureException;
import io.usmp.protocol.CloseReason;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of backpressure, sans I/O: the server watchdog waits while the transport has
 * paused reading and restarts its window on resume; the backlog of a pause is not a PING flood; a
 * transport whose output stays blocked gets the session closed as a slow consumer; messages
 * completed before a violating frame come out before the close.
 */
class EngineBackpressureTest {
    private static final long T0 = 1_000_000L;
    private static final EngineSettings SETTINGS = EngineSettings.defaults(UsmpCrypto.defaults())
            .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMillis(600))
            .withSlowConsumerTimeout(Duration.ofMillis(2_000));

    private static EnginePair establish() {
        return EnginePair.establish(SETTINGS, T0);
    }

    @Test
    void watchdogWaitsWhileReadingIsPausedAndRestartsOnResume() {
        UsmpEngine server = establish().server;
        assertEquals(T0 + 600, server.nextDeadline());
        server.readingPaused(T0 + 100);
        assertTrue(server.isReadingPaused());
        assertEquals(Long.MAX_VALUE, server.nextDeadline(), "no watchdog while our consumer holds reading");
        server.tick(T0 + 5_000);
        assertFalse(server.isClosed(), "paused by us for 5 s, 600 ms timeout: the device is not to blame");

        server.readingResumed(T0 + 5_000);
        assertEquals(T0 + 5_600, server.nextDeadline(), "window restarts at resume");
        server.tick(T0 + 5_599);
        assertFalse(server.isClosed());
        server.tick(T0 + 5_600);
        EngineEvent.Closed closed = assertInstanceOf(EngineEvent.Closed.class, server.pollEvent());
        assertEquals(CloseReason.TIMEOUT, closed.reason());
    }

    @Test
    void oldCodeWouldHaveTimedOutThePausedSessionWithoutThePauseCall() {
        // The control case: the same silence without a pause report closes the session.
        UsmpEngine server = establish().server;
        server.tick(T0 + 600);
        assertTrue(server.isClosed());
    }

    @Test
    void pingBacklogOfAPauseIsNotAFloodButALiveFloodStillIs() throws Exception {
        EnginePair p = establish();
        // The device pinged every 200 ms during a 1.5 s pause; the PINGs (plus the next ones) arrive at once.
        ByteArrayOutputStream backlog = new ByteArrayOutputStream();
        for (int i = 0; i < 12; i++) {
            p.client.ping(T0 + 200L * i);
            backlog.writeBytes(p.client.pollOutput());
        }
        p.server.readingPaused(T0);
        p.server.readingResumed(T0 + 1_500);
        byte[] all = backlog.toByteArray();
        p.server.receive(all, 0, all.length, T0 + 1_500);
        assertFalse(p.server.isClosed(), "12 PINGs that waited through a 1.5 s pause are within 2 s × 8 allowed");
        assertNull(p.server.pollEvent());

        // The credit is bounded by the pause (2 started seconds × 8 = 16, 12 used): once the other 4
        // are used up, a real flood is a violation again.
        ByteArrayOutputStream flood = new ByteArrayOutputStream();
        for (int i = 0; i < 4 + 9; i++) {
            p.client.ping(T0 + 3_000);
            flood.writeBytes(p.client.pollOutput());
        }
        byte[] f = flood.toByteArray();
        p.server.receive(f, 0, f.length, T0 + 3_000);
        EngineEvent.Closed closed = assertInstanceOf(EngineEvent.Closed.class, p.server.pollEvent());
        assertEquals(CloseReason.SEQUENCE, closed.reason());
    }

    @Test
    void blockedOutputClosesAsSlowConsumerWithoutBye() throws Exception {
        EngineSettings noWatchdog = SETTINGS.withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ZERO);
        UsmpEngine server = EnginePair.establish(noWatchdog, T0).server;
        assertEquals(Long.MAX_VALUE, server.nextDeadline());

        server.outputBlocked(T0 + 10);
        assertEquals(T0 + 2_010, server.nextDeadline());
        server.outputUnblocked(T0 + 1_000);
        server.tick(T0 + 5_000);
        assertFalse(server.isClosed(), "the peer drained in time");

        server.outputBlocked(T0 + 6_000);
        server.outputBlocked(T0 + 7_000); // idempotent: the first report counts
        server.tick(T0 + 7_999);
        assertFalse(server.isClosed());
        server.tick(T0 + 8_000);
        EngineEvent.Closed closed = assertInstanceOf(EngineEvent.Closed.class, server.pollEvent());
        assertEquals(CloseReason.SLOW_CONSUMER, closed.reason());
        assertInstanceOf(BackpressureException.class, closed.cause());
        assertNull(server.pollOutput(), "no BYE to a peer that does not read");
        assertTrue(server.keysWiped());
    }

    @Test
    void messagesBeforeAViolatingFrameComeOutBeforeTheClose() throws Exception {
        EnginePair p = establish();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 5; i++) {
            p.client.send(new byte[] {(byte) i}, T0);
            wire.writeBytes(p.client.pollOutput());
        }
        p.client.send(new byte[] {99}, T0);
        byte[] corrupt = p.client.pollOutput();
        corrupt[corrupt.length - 1] ^= 1; // breaks the CRC
        wire.writeBytes(corrupt);
        byte[] all = wire.toByteArray();
        p.server.receive(all, 0, all.length, T0);
        for (int i = 0; i < 5; i++) {
            EngineEvent.Message m = assertInstanceOf(EngineEvent.Message.class, p.server.pollEvent());
            assertArrayEquals(new byte[] {(byte) i}, m.payload());
        }
        EngineEvent.Closed closed = assertInstanceOf(EngineEvent.Closed.class, p.server.pollEvent());
        assertEquals(CloseReason.BAD_FRAME, closed.reason());
        assertNull(p.server.pollEvent(), "the violating frame itself is discarded");
    }
}
