package io.usmp.testing;

import static io.usmp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.crypto.UsmpCrypto;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.session.EngineEvent;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import io.usmp.wire.Frame;
import io.usmp.wire.FrameDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Two engines talking to each other in memory with real crypto, and the helpers that move their
 * output across and read their events. Time is only ever the explicit millisecond value handed in.
 */
public final class EnginePair {
    public static final UsmpCrypto CRYPTO = UsmpCrypto.defaults();
    /** The device of {@link #establish}; its PSK is {@link #PSK}. */
    public static final DeviceId DEVICE = DeviceId.fromHex("a1b2c3d4e5f6");
    public static final byte[] PSK = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    public enum Direction { CLIENT_TO_SERVER, SERVER_TO_CLIENT }

    public final UsmpEngine client;
    public final UsmpEngine server;

    public EnginePair(UsmpEngine client, UsmpEngine server) {
        this.client = client;
        this.server = server;
    }

    public UsmpEngine sender(Direction d) {
        return d == Direction.CLIENT_TO_SERVER ? client : server;
    }

    public UsmpEngine receiver(Direction d) {
        return d == Direction.CLIENT_TO_SERVER ? server : client;
    }

    // ---------------------------------------------------------------- helpers

    /** A client of {@link #DEVICE} and a server that knows its PSK, handshaken at {@code now}. */
    public static EnginePair establish(EngineSettings settings, long now) {
        UsmpEngine client = UsmpEngine.client(settings, DEVICE, PSK, now);
        UsmpEngine server = UsmpEngine.server(settings, PskResolver.shared(PSK), now);
        return handshake(client, server, now);
    }

    /** Starts {@code client}, runs the four handshake frames and checks both ends are established. */
    public static EnginePair handshake(UsmpEngine client, UsmpEngine server, long now) {
        client.start(now);
        int moved = pumpUntilQuiet(client, server, now);
        assertEquals(4, moved, "HELLO, CHALLENGE, HELLO_ACK, SESSION_OK");
        assertInstanceOf(EngineEvent.Established.class, client.pollEvent());
        assertInstanceOf(EngineEvent.Established.class, server.pollEvent());
        assertNull(client.pollEvent());
        assertNull(server.pollEvent());
        assertTrue(client.isEstablished() && server.isEstablished());
        return new EnginePair(client, server);
    }

    /** Moves all output of each engine into the other until both are quiet; returns frames moved. */
    public static int pumpUntilQuiet(UsmpEngine a, UsmpEngine b, long now) {
        int moved = 0;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (UsmpEngine[] dir : new UsmpEngine[][] {{a, b}, {b, a}}) {
                byte[] out;
                while ((out = dir[0].pollOutput()) != null) {
                    dir[1].receive(out, 0, out.length, now);
                    moved++;
                    progress = true;
                }
            }
            assertTrue(moved < 10_000, "engines ping-pong forever");
        }
        return moved;
    }

    public static List<byte[]> drain(UsmpEngine e) {
        List<byte[]> out = new ArrayList<>();
        byte[] b;
        while ((b = e.pollOutput()) != null) {
            out.add(b);
        }
        return out;
    }

    public static List<EngineEvent> events(UsmpEngine e) {
        List<EngineEvent> out = new ArrayList<>();
        EngineEvent ev;
        while ((ev = e.pollEvent()) != null) {
            out.add(ev);
        }
        return out;
    }

    public static List<Frame> decode(List<byte[]> wire) throws Exception {
        List<Frame> frames = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder();
        for (byte[] b : wire) {
            int before = frames.size();
            decoder.decode(b, 0, b.length, frames::add);
            assertEquals(before + 1, frames.size(), "each pollOutput() is exactly one frame");
        }
        return frames;
    }

    public static void deliver(List<byte[]> wire, UsmpEngine to, long now) {
        for (byte[] b : wire) {
            to.receive(b, 0, b.length, now);
        }
    }

    public static Frame single(UsmpEngine e) throws Exception {
        List<Frame> frames = decode(drain(e));
        assertEquals(1, frames.size(), "expected one frame, got " + frames);
        return frames.get(0);
    }

    public static byte[] message(UsmpEngine e) {
        List<EngineEvent> ev = events(e);
        assertEquals(1, ev.size(), "expected one event, got " + ev);
        return assertInstanceOf(EngineEvent.Message.class, ev.get(0)).payload();
    }

    public static EngineEvent.Closed closed(UsmpEngine e) {
        List<EngineEvent> ev = events(e);
        assertEquals(1, ev.size(), "expected exactly one event, got " + ev);
        EngineEvent.Closed c = assertInstanceOf(EngineEvent.Closed.class, ev.get(0));
        assertTrue(e.isClosed());
        assertTrue(e.keysWiped());
        return c;
    }

    /** {@code n} pseudo-random bytes, the same for the same {@code n}. */
    public static byte[] pattern(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
