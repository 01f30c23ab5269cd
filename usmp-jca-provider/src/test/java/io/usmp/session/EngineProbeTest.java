package io.usmp.session;

import static io.usmp.testing.EnginePair.drain;
import static io.usmp.testing.EnginePair.establish;
import static io.usmp.testing.EnginePair.events;
import static io.usmp.testing.EnginePair.pumpUntilQuiet;
import static io.usmp.testing.EnginePair.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.usmp.protocol.ConnectionClosedException;
import io.usmp.testing.EnginePair;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link UsmpEngine#probe}: a PING whose PONG is reported as {@link EngineEvent.Pong}, while the
 * PONGs of keepalives stay silent. Time is only the explicit millisecond value.
 */
class EngineProbeTest {
    private static final long T0 = 1_000_000L;
    private static final EngineSettings SETTINGS = EngineSettings.defaults(EnginePair.CRYPTO)
            .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));

    /** Moves {@code from}'s single frame to {@code to} and returns it. */
    private static Frame relay(UsmpEngine from, UsmpEngine to, long now) throws Exception {
        Frame f = single(from);
        byte[] bytes = f.encode();
        to.receive(bytes, 0, bytes.length, now);
        return f;
    }

    @Test
    void aProbesPongIsReported() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        assertEquals(1, p.client.probe(T0 + 1), "the session's first PING");
        assertEquals(PacketType.PING, relay(p.client, p.server, T0 + 2).type());
        assertEquals(PacketType.PONG, relay(p.server, p.client, T0 + 3).type());
        assertEquals(List.of(new EngineEvent.Pong(1)), events(p.client));
        assertEquals(List.of(), events(p.server), "a PING is not a message");
    }

    @Test
    void keepalivePongsStaySilentAndNumbersCountThem() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.client.tick(T0 + 30_000); // keepalive: PING 1
        assertEquals(PacketType.PING, relay(p.client, p.server, T0 + 30_000).type());
        relay(p.server, p.client, T0 + 30_001);
        assertEquals(List.of(), events(p.client), "a keepalive's PONG is consumed");

        assertEquals(2, p.client.probe(T0 + 30_002));
        relay(p.client, p.server, T0 + 30_002);
        relay(p.server, p.client, T0 + 30_003);
        assertEquals(List.of(new EngineEvent.Pong(2)), events(p.client));

        p.client.tick(T0 + 60_002); // keepalive after the probe: PING 3
        relay(p.client, p.server, T0 + 60_002);
        relay(p.server, p.client, T0 + 60_003);
        assertEquals(List.of(), events(p.client), "no probe waits any more");
    }

    @Test
    void aProbeBehindAnUnansweredKeepaliveIsAnsweredBySecondPong() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.client.tick(T0 + 30_000); // PING 1, its PONG still on the way when the probe goes out
        assertEquals(2, p.client.probe(T0 + 30_001));
        assertEquals(4, pumpUntilQuiet(p.client, p.server, T0 + 30_002), "two PINGs, two PONGs");
        assertEquals(List.of(new EngineEvent.Pong(1), new EngineEvent.Pong(2)), events(p.client),
                "the probe's own PONG is the second");
    }

    @Test
    void aProbeNeedsAnOpenSession() throws Exception {
        UsmpEngine fresh = UsmpEngine.client(SETTINGS, EnginePair.DEVICE, EnginePair.PSK, T0);
        assertThrows(IllegalStateException.class, () -> fresh.probe(T0), "before the handshake");

        EnginePair p = establish(SETTINGS, T0);
        p.client.close(T0 + 1);
        drain(p.client);
        assertThrows(ConnectionClosedException.class, () -> p.client.probe(T0 + 2));
        assertEquals(List.of(), drain(p.client), "nothing sent after the close");
    }
}
