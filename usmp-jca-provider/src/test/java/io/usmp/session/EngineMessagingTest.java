package io.usmp.session;

import io.usmp.protocol.Limits;
import io.usmp.handshake.FrameCipher;
import static io.usmp.testing.EnginePair.closed;
import static io.usmp.testing.EnginePair.decode;
import static io.usmp.testing.EnginePair.deliver;
import static io.usmp.testing.EnginePair.drain;
import static io.usmp.testing.EnginePair.establish;
import static io.usmp.testing.EnginePair.events;
import static io.usmp.testing.EnginePair.message;
import static io.usmp.testing.EnginePair.pattern;
import static io.usmp.testing.EnginePair.pumpUntilQuiet;
import static io.usmp.testing.EnginePair.single;
import static io.usmp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.CloseReason;
import io.usmp.protocol.ConnectionClosedException;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.ErrorCode;
import io.usmp.protocol.HandshakeException;
import io.usmp.protocol.PayloadException;
import io.usmp.protocol.PskResolver;
import io.usmp.protocol.SequenceException;
import io.usmp.protocol.UsmpTimeoutException;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.testing.EnginePair;
import io.usmp.testing.EnginePair.Direction;
import io.usmp.testing.KnownKeys;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Client and server engines wired together in memory with real crypto: messages, fragmentation,
 * keepalive, watchdog, timeouts, orderly ends and sequence exhaustion (SPEC §3, §4). Time is only
 * ever the explicit millisecond value handed to the engines. The harness is {@link EnginePair}.
 */
class EngineMessagingTest {
    private static final UsmpCrypto CRYPTO = EnginePair.CRYPTO;
    private static final DeviceId DEVICE = EnginePair.DEVICE;
    private static final byte[] PSK = EnginePair.PSK;
    private static final long T0 = 1_000_000L;
    // Without the cipher idle release, whose deadline would come before the keepalive and watchdog
    // deadlines checked here (CipherIdleReleaseTest covers how they combine).
    private static final EngineSettings SETTINGS = EngineSettings.defaults(CRYPTO)
            .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60))
            .withCipherIdleRelease(Duration.ZERO);

    // ---------------------------------------------------------------- messages

    static Stream<Arguments> sizes() {
        List<Arguments> args = new ArrayList<>();
        int[][] table = {{0, 1}, {1, 1}, {452, 1}, {453, 2}, {904, 2}, {905, 3}, {1356, 3}, {1357, 4}, {1800, 4}, {1808, 4}};
        for (Direction d : Direction.values()) {
            for (int[] row : table) {
                args.add(Arguments.of(d, row[0], row[1]));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1} bytes -> {2} frames")
    @MethodSource("sizes")
    void messageArrivesIntactInTheRightFrames(Direction d, int size, int expectedFrames) throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        byte[] msg = pattern(size);
        p.sender(d).send(msg, T0 + 1);
        List<byte[]> wire = drain(p.sender(d));
        List<Frame> frames = decode(wire);
        assertEquals(expectedFrames, frames.size());
        int remaining = size;
        for (int i = 0; i < frames.size(); i++) {
            Frame f = frames.get(i);
            assertEquals(i == frames.size() - 1 ? PacketType.DATA : PacketType.DATA_FRAG, f.type(), "frame " + i);
            assertEquals(i, f.seq(), "consecutive seqs from 0");
            int chunk = Math.min(Limits.MAX_FRAGMENT, remaining);
            assertEquals(chunk + 28, f.length(), "nonce + chunk + tag");
            assertTrue(f.length() <= Frame.MAX_PAYLOAD);
            remaining -= chunk;
        }
        assertEquals(0, remaining);

        assertNull(p.receiver(d).pollEvent());
        deliver(wire, p.receiver(d), T0 + 2);
        assertArrayEquals(msg, message(p.receiver(d)));
        assertNull(p.receiver(d).pollOutput(), "DATA is not answered");
        assertTrue(p.sender(d).isEstablished() && p.receiver(d).isEstablished());
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void messagesSurviveAnySplitOfTheStream(Direction d) throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        byte[] a = pattern(1808);
        byte[] b = pattern(0);
        byte[] c = pattern(700);
        p.sender(d).send(a, T0);
        p.sender(d).send(b, T0);
        p.sender(d).send(c, T0);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<Frame> frames = decode(drain(p.sender(d)));
        for (Frame f : frames) {
            stream.writeBytes(f.encode());
        }
        assertEquals(4 + 1 + 2, frames.size());
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(i, frames.get(i).seq(), "seq continues across messages");
        }
        byte[] all = stream.toByteArray();
        for (int i = 0; i < all.length; i++) {
            p.receiver(d).receive(all, i, 1, T0 + 1);
        }
        List<EngineEvent> ev = events(p.receiver(d));
        assertEquals(3, ev.size());
        assertArrayEquals(a, assertInstanceOf(EngineEvent.Message.class, ev.get(0)).payload());
        assertArrayEquals(b, assertInstanceOf(EngineEvent.Message.class, ev.get(1)).payload());
        assertArrayEquals(c, assertInstanceOf(EngineEvent.Message.class, ev.get(2)).payload());
    }

    @Test
    void bothDirectionsInterleaved() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        for (int i = 0; i < 5; i++) {
            byte[] up = pattern(100 * i + 3);
            byte[] down = pattern(400 * i + 1);
            p.client.send(up, T0 + i);
            p.server.send(down, T0 + i);
            List<byte[]> toServer = drain(p.client);
            List<byte[]> toClient = drain(p.server);
            deliver(toServer, p.server, T0 + i);
            deliver(toClient, p.client, T0 + i);
            assertArrayEquals(up, message(p.server));
            assertArrayEquals(down, message(p.client));
        }
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void oversizedMessageIsRefusedWholeAndTheSessionContinues(Direction d) throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        PayloadException e = assertThrows(PayloadException.class, () -> p.sender(d).send(new byte[1809], T0 + 1));
        assertEquals(CloseReason.PAYLOAD, e.reason());
        assertEquals(ErrorCode.BAD_FRAME, e.code());
        assertNull(p.sender(d).pollOutput(), "nothing of it queued");
        assertNull(p.sender(d).pollEvent(), "the session did not close");
        assertTrue(p.sender(d).isEstablished());
        assertThrows(PayloadException.class, () -> p.sender(d).send(new byte[100_000], T0 + 1));
        assertNull(p.sender(d).pollOutput());

        byte[] msg = pattern(1808);
        p.sender(d).send(msg, T0 + 2);
        List<Frame> frames = decode(drain(p.sender(d)));
        assertEquals(4, frames.size());
        assertEquals(0, frames.get(0).seq(), "the refused message used no seq");
        List<byte[]> wire = new ArrayList<>();
        frames.forEach(f -> wire.add(f.encode()));
        deliver(wire, p.receiver(d), T0 + 3);
        assertArrayEquals(msg, message(p.receiver(d)));
    }

    @Test
    void sendBeforeTheHandshakeIsAnError() {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        client.start(T0);
        assertThrows(IllegalStateException.class, () -> client.send(new byte[1], T0));
        assertThrows(IllegalStateException.class, () -> client.ping(T0));
    }

    @Test
    void handshakeFrameSeqsAreIgnored() throws Exception {
        // 1.1.0+ clients number their handshake frames 0/1/2; receivers ignore those seqs.
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        client.start(T0);
        long[] seqs = {0, 1, 2, 7};
        UsmpEngine[][] hops = {{client, server}, {server, client}, {client, server}, {server, client}};
        for (int i = 0; i < 4; i++) {
            Frame f = single(hops[i][0]);
            assertEquals(0, f.seq(), "we send 0 for every handshake frame");
            byte[] renumbered = Frame.of(f.type(), seqs[i], f.payload()).encode();
            hops[i][1].receive(renumbered, 0, renumbered.length, T0);
        }
        assertInstanceOf(EngineEvent.Established.class, client.pollEvent());
        assertInstanceOf(EngineEvent.Established.class, server.pollEvent());
        client.send(new byte[] {42}, T0);
        Frame data = single(client);
        assertEquals(0, data.seq(), "session seqs start at 0 whatever the handshake seqs were");
        server.receive(data.encode(), 0, data.encode().length, T0);
        assertArrayEquals(new byte[] {42}, message(server));
    }

    @Test
    void establishedEventsNameTheDeviceAndShareTheSessionId() {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        client.start(T0);
        pumpUntilQuiet(client, server, T0);
        EngineEvent.Established c = assertInstanceOf(EngineEvent.Established.class, client.pollEvent());
        EngineEvent.Established s = assertInstanceOf(EngineEvent.Established.class, server.pollEvent());
        assertEquals(DEVICE, c.deviceId());
        assertEquals(DEVICE, s.deviceId());
        assertEquals(DEVICE, server.deviceId());
        assertEquals(16, c.sessionId().length);
        assertArrayEquals(c.sessionId(), s.sessionId());
    }

    // ---------------------------------------------------------------- keepalive and watchdog

    @Test
    void clientPingsAfterKeepaliveOfTxIdlenessAndReceivingDoesNotResetIt() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        assertEquals(T0 + 30_000, p.client.nextDeadline());

        // the server talks to the client: received frames do not reset the keepalive timer
        p.server.send(pattern(10), T0 + 10_000);
        deliver(drain(p.server), p.client, T0 + 10_000);
        assertEquals(10, message(p.client).length);
        p.server.ping(T0 + 20_000);
        deliver(drain(p.server), p.client, T0 + 20_000);
        Frame firstPong = single(p.client);
        assertEquals(PacketType.PONG, firstPong.type(), "answering a PING is a send");
        p.server.receive(firstPong.encode(), 0, firstPong.encode().length, T0 + 20_000);
        assertNull(p.server.pollEvent());
        assertEquals(T0 + 50_000, p.client.nextDeadline(), "the PONG the client sent reset it");

        p.server.send(pattern(3), T0 + 49_000);
        deliver(drain(p.server), p.client, T0 + 49_000);
        message(p.client);
        assertEquals(T0 + 50_000, p.client.nextDeadline());
        p.client.tick(T0 + 49_999);
        assertNull(p.client.pollOutput());

        p.client.tick(T0 + 50_000);
        Frame ping = single(p.client);
        assertEquals(PacketType.PING, ping.type());
        assertEquals(1, ping.seq(), "after the PONG at seq 0");
        assertEquals(28, ping.length(), "empty plaintext");
        assertEquals(T0 + 80_000, p.client.nextDeadline());
        p.client.tick(T0 + 50_001);
        assertNull(p.client.pollOutput(), "one PING per idle interval");

        p.server.receive(ping.encode(), 0, ping.encode().length, T0 + 50_000);
        Frame pong = single(p.server);
        assertEquals(PacketType.PONG, pong.type());
        assertNull(p.server.pollEvent());
        p.client.receive(pong.encode(), 0, pong.encode().length, T0 + 50_000);
        assertNull(p.client.pollEvent(), "PONG is consumed");
        assertNull(p.client.pollOutput());
        assertTrue(p.client.isEstablished() && p.server.isEstablished());
    }

    @Test
    void clientDataResetsTheKeepalive() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.client.send(pattern(5), T0 + 25_000);
        drain(p.client);
        assertEquals(T0 + 55_000, p.client.nextDeadline());
        p.client.tick(T0 + 30_000);
        assertNull(p.client.pollOutput());
        p.client.tick(T0 + 55_000);
        assertEquals(PacketType.PING, single(p.client).type());
    }

    @Test
    void serverDoesNotSendKeepalives() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.client.send(new byte[1], T0 + 59_000);
        deliver(drain(p.client), p.server, T0 + 59_000);
        message(p.server);
        p.server.tick(T0 + 59_500);
        assertNull(p.server.pollOutput());
        assertTrue(p.server.isEstablished());
    }

    @Test
    void serverPingIsAnsweredWithPong() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.server.ping(T0 + 1);
        Frame ping = single(p.server);
        assertEquals(PacketType.PING, ping.type());
        assertEquals(0, ping.seq());
        p.client.receive(ping.encode(), 0, ping.encode().length, T0 + 2);
        assertNull(p.client.pollEvent());
        Frame pong = single(p.client);
        assertEquals(PacketType.PONG, pong.type());
        assertEquals(0, pong.seq());
        p.server.receive(pong.encode(), 0, pong.encode().length, T0 + 3);
        assertNull(p.server.pollEvent());
        assertNull(p.server.pollOutput(), "a PONG is not answered");
    }

    @Test
    void watchdogClosesTheServerAfterSessionTimeoutWithoutAuthenticatedRx() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        assertEquals(T0 + 60_000, p.server.nextDeadline());
        // sending does not reset the watchdog
        p.server.send(pattern(20), T0 + 30_000);
        p.server.ping(T0 + 59_000);
        assertEquals(2, drain(p.server).size());
        assertEquals(T0 + 60_000, p.server.nextDeadline());
        p.server.tick(T0 + 59_999);
        assertTrue(p.server.isEstablished());
        assertNull(p.server.pollEvent());

        p.server.tick(T0 + 60_000);
        EngineEvent.Closed c = closed(p.server);
        assertEquals(CloseReason.TIMEOUT, c.reason());
        UsmpTimeoutException e = assertInstanceOf(UsmpTimeoutException.class, c.cause());
        assertEquals(ErrorCode.TIMEOUT, e.code());
        assertNull(p.server.pollOutput(), "fail fast: nothing written");
        assertEquals(Long.MAX_VALUE, p.server.nextDeadline());
        assertThrows(ConnectionClosedException.class, () -> p.server.send(new byte[1], T0 + 60_001));
    }

    @Test
    void authenticatedRxResetsTheWatchdog() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.client.send(new byte[] {1}, T0 + 50_000);
        deliver(drain(p.client), p.server, T0 + 50_000);
        message(p.server);
        assertEquals(T0 + 110_000, p.server.nextDeadline());
        p.server.tick(T0 + 100_000);
        assertTrue(p.server.isEstablished());
        // a client keepalive (PING) counts as received traffic too
        p.client.tick(T0 + 80_000);
        deliver(drain(p.client), p.server, T0 + 105_000);
        assertEquals(T0 + 165_000, p.server.nextDeadline());
        p.server.tick(T0 + 164_999);
        assertTrue(p.server.isEstablished());
        p.server.tick(T0 + 165_000);
        assertEquals(CloseReason.TIMEOUT, closed(p.server).reason());
    }

    @Test
    void zeroTimersAreDisabled() throws Exception {
        EngineSettings none = SETTINGS.withTimeouts(Duration.ZERO, Duration.ZERO, Duration.ZERO);
        UsmpEngine lonely = UsmpEngine.client(none, DEVICE, PSK, T0);
        lonely.start(T0);
        drain(lonely);
        assertEquals(Long.MAX_VALUE, lonely.nextDeadline());
        lonely.tick(Long.MAX_VALUE - 1);
        assertFalse(lonely.isClosed());
        EnginePair p = establish(none, T0);
        assertEquals(Long.MAX_VALUE, p.client.nextDeadline());
        assertEquals(Long.MAX_VALUE, p.server.nextDeadline());
        p.client.tick(T0 + 3_600_000);
        p.server.tick(T0 + 3_600_000);
        assertNull(p.client.pollOutput());
        assertTrue(p.server.isEstablished());
    }

    @Test
    void clientHandshakeTimeout() {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        client.start(T0);
        assertEquals(PacketType.HELLO.code(), drain(client).get(0)[3]);
        assertEquals(T0 + 10_000, client.nextDeadline());
        client.tick(T0 + 9_999);
        assertFalse(client.isClosed());
        assertNull(client.pollEvent());
        client.tick(T0 + 10_000);
        EngineEvent.Closed c = closed(client);
        assertEquals(CloseReason.TIMEOUT, c.reason());
        assertEquals(ErrorCode.TIMEOUT, assertInstanceOf(UsmpTimeoutException.class, c.cause()).code());
        assertNull(client.pollOutput());
    }

    @Test
    void serverHandshakeTimeoutCountsFromAccept() {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        client.start(T0 + 4_000);
        deliver(drain(client), server, T0 + 5_000);
        assertEquals(1, drain(server).size(), "CHALLENGE");
        assertEquals(T0 + 10_000, server.nextDeadline(), "from accept, not from HELLO");
        server.tick(T0 + 9_999);
        assertFalse(server.isClosed());
        server.tick(T0 + 10_000);
        EngineEvent.Closed c = closed(server);
        assertEquals(CloseReason.TIMEOUT, c.reason());
        assertEquals(ErrorCode.TIMEOUT, assertInstanceOf(UsmpTimeoutException.class, c.cause()).code());
        assertNull(server.pollOutput());
    }

    @Test
    void silentServerHandshakeTimeout() {
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        server.start(T0);
        assertNull(server.pollOutput(), "a server waits for HELLO");
        server.tick(T0 + 10_000);
        assertInstanceOf(UsmpTimeoutException.class, closed(server).cause());
    }

    @Test
    void handshakeCompletedInTimeIsNotTimedOut() {
        EnginePair p = establish(SETTINGS, T0);
        p.client.tick(T0 + 10_000);
        p.server.tick(T0 + 10_000);
        assertTrue(p.client.isEstablished() && p.server.isEstablished());
        assertNull(p.client.pollEvent());
        assertNull(p.server.pollEvent());
    }

    // ---------------------------------------------------------------- orderly ends

    @ParameterizedTest
    @EnumSource(Direction.class)
    void orderlyCloseSendsByeAndPeerReportsPeerBye(Direction d) throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.sender(d).send(pattern(3), T0);
        p.sender(d).close(T0 + 1);
        List<byte[]> wire = drain(p.sender(d));
        List<Frame> frames = decode(wire);
        assertEquals(2, frames.size());
        assertEquals(PacketType.BYE, frames.get(1).type());
        assertEquals(1, frames.get(1).seq());
        assertEquals(28, frames.get(1).length());
        EngineEvent.Closed local = closed(p.sender(d));
        assertEquals(CloseReason.LOCAL, local.reason());
        assertNull(local.cause());

        p.sender(d).close(T0 + 2);
        assertNull(p.sender(d).pollEvent(), "close is idempotent");
        assertNull(p.sender(d).pollOutput());
        assertThrows(ConnectionClosedException.class, () -> p.sender(d).send(new byte[1], T0 + 2));

        deliver(wire, p.receiver(d), T0 + 2);
        List<EngineEvent> ev = events(p.receiver(d));
        assertEquals(2, ev.size());
        assertInstanceOf(EngineEvent.Message.class, ev.get(0));
        EngineEvent.Closed peer = assertInstanceOf(EngineEvent.Closed.class, ev.get(1));
        assertEquals(CloseReason.PEER_BYE, peer.reason());
        assertEquals(CloseReason.PEER_BYE, assertInstanceOf(ConnectionClosedException.class, peer.cause()).reason());
        assertNull(p.receiver(d).pollOutput(), "BYE is not answered");
        assertTrue(p.receiver(d).keysWiped());
        assertTrue(p.receiver(d).isClosed());
    }

    @Test
    void closeDuringHandshakeSendsNoBye() {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        client.start(T0);
        drain(client);
        client.close(T0);
        assertNull(client.pollOutput());
        assertEquals(CloseReason.LOCAL, closed(client).reason());
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void transportClosedWhenEstablishedIsPeerDisconnected(Direction d) throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.receiver(d).send(pattern(5), T0);
        p.receiver(d).transportClosed(T0 + 1);
        EngineEvent.Closed c = closed(p.receiver(d));
        assertEquals(CloseReason.PEER_DISCONNECTED, c.reason());
        assertInstanceOf(ConnectionClosedException.class, c.cause());
        assertEquals(CloseReason.PEER_DISCONNECTED, ((ConnectionClosedException) c.cause()).reason());
        assertEquals(0, c.cause().getStackTrace().length, "an EOF carries no stack trace: filling one in cost ~1.5 % per handshake");
        assertNull(p.receiver(d).pollOutput(), "nothing can be written to a closed transport");
        p.receiver(d).transportClosed(T0 + 2);
        assertNull(p.receiver(d).pollEvent(), "reported once");
    }

    @Test
    void transportClosedDuringHandshakeIsAHandshakeFailure() {
        UsmpEngine client = UsmpEngine.client(SETTINGS, DEVICE, PSK, T0);
        UsmpEngine server = UsmpEngine.server(SETTINGS, PskResolver.shared(PSK), T0);
        client.start(T0);
        deliver(drain(client), server, T0);
        drain(server);
        for (UsmpEngine e : new UsmpEngine[] {client, server}) {
            e.transportClosed(T0 + 1);
            EngineEvent.Closed c = closed(e);
            assertEquals(CloseReason.HANDSHAKE, c.reason());
            assertEquals(HandshakeException.class, c.cause().getClass());
        }
    }

    // ---------------------------------------------------------------- sequence exhaustion

    @Test
    void lastUsableSeqCarriesOneMoreMessageThenTheSenderClosesWithBye() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.client.jumpSequences(0xFFFFFFFEL, 0);
        p.server.jumpSequences(0, 0xFFFFFFFEL);

        p.client.send(new byte[] {7}, T0 + 1);
        Frame last = single(p.client);
        assertEquals(PacketType.DATA, last.type());
        assertEquals(0xFFFFFFFEL, last.seq());
        p.server.receive(last.encode(), 0, last.encode().length, T0 + 1);
        assertArrayEquals(new byte[] {7}, message(p.server));

        SequenceException e = assertThrows(SequenceException.class, () -> p.client.send(new byte[] {8}, T0 + 2));
        assertEquals(ErrorCode.SEQ, e.code());
        Frame bye = single(p.client);
        assertEquals(PacketType.BYE, bye.type(), "only BYE may use the last seq");
        assertEquals(0xFFFFFFFFL, bye.seq());
        EngineEvent.Closed c = closed(p.client);
        assertEquals(CloseReason.SEQUENCE, c.reason());
        assertInstanceOf(SequenceException.class, c.cause());
        assertThrows(ConnectionClosedException.class, () -> p.client.send(new byte[1], T0 + 3));

        p.server.receive(bye.encode(), 0, bye.encode().length, T0 + 2);
        assertEquals(CloseReason.PEER_BYE, closed(p.server).reason(), "a BYE at 0xFFFFFFFF is accepted");
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void multiFrameMessageNeedingTheLastSeqIsRefusedBeforeAnyOfItIsSent(Direction d) throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.sender(d).jumpSequences(0xFFFFFFFEL, 0);
        p.receiver(d).jumpSequences(0, 0xFFFFFFFEL);
        assertThrows(SequenceException.class, () -> p.sender(d).send(pattern(453), T0 + 1));
        List<byte[]> wire = drain(p.sender(d));
        List<Frame> frames = decode(wire);
        assertEquals(1, frames.size(), "no DATA_FRAG or DATA, just BYE: " + frames);
        assertEquals(PacketType.BYE, frames.get(0).type());
        assertEquals(0xFFFFFFFEL, frames.get(0).seq());
        assertEquals(CloseReason.SEQUENCE, closed(p.sender(d)).reason());
        deliver(wire, p.receiver(d), T0 + 1);
        assertEquals(CloseReason.PEER_BYE, closed(p.receiver(d)).reason(), "no Message event before it");
    }

    @Test
    void twoFrameMessageFitsWhenItEndsAtTheLastUsableSeq() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.client.jumpSequences(0xFFFFFFFDL, 0);
        p.server.jumpSequences(0, 0xFFFFFFFDL);
        byte[] msg = pattern(453);
        p.client.send(msg, T0);
        List<byte[]> wire = drain(p.client);
        List<Frame> frames = decode(wire);
        assertEquals(0xFFFFFFFDL, frames.get(0).seq());
        assertEquals(0xFFFFFFFEL, frames.get(1).seq());
        deliver(wire, p.server, T0);
        assertArrayEquals(msg, message(p.server));
        assertThrows(SequenceException.class, () -> p.client.send(new byte[0], T0));
    }

    @Test
    void keepaliveAtExhaustionClosesTheSessionWithoutUsingTheLastSeqForPing() throws Exception {
        EnginePair p = establish(SETTINGS, T0);
        p.client.jumpSequences(0xFFFFFFFFL, 0);
        p.client.tick(T0 + 30_000);
        for (Frame f : decode(drain(p.client))) {
            assertEquals(PacketType.BYE, f.type(), "no PING at seq 0xFFFFFFFF");
        }
        EngineEvent.Closed c = closed(p.client);
        assertEquals(CloseReason.SEQUENCE, c.reason());
        assertInstanceOf(SequenceException.class, c.cause());
    }

    @Test
    void knownKeysCraftFramesTheEngineAccepts() throws Exception {
        KnownKeys k = new KnownKeys(T0);
        byte[] f = KnownKeys.seal(k.c2s, PacketType.DATA, 0, new byte[] {1, 2, 3});
        k.pair.server.receive(f, 0, f.length, T0);
        assertArrayEquals(new byte[] {1, 2, 3}, message(k.pair.server));
        k.pair.server.send(new byte[] {4}, T0);
        Frame down = single(k.pair.server);
        assertArrayEquals(new byte[] {4}, k.s2c.open(down.type(), down.seq(), down.payload()));
    }

    @ParameterizedTest
    @EnumSource(value = PacketType.class, names = {"DATA", "DATA_FRAG", "PING", "PONG"})
    void receiverTreatsANonByeFrameAtSeqFfffffffAsAViolation(PacketType type) throws Exception {
        for (Direction d : Direction.values()) {
            KnownKeys k = new KnownKeys(T0);
            UsmpEngine receiver = k.pair.receiver(d);
            FrameCipher cipher = d == Direction.CLIENT_TO_SERVER ? k.c2s : k.s2c;
            receiver.jumpSequences(0, 0xFFFFFFFEL);
            byte[] ok = KnownKeys.seal(cipher, PacketType.DATA, 0xFFFFFFFEL, new byte[] {1});
            receiver.receive(ok, 0, ok.length, T0);
            assertArrayEquals(new byte[] {1}, message(receiver));

            byte[] bad = KnownKeys.seal(cipher, type, 0xFFFFFFFFL, new byte[0]);
            receiver.receive(bad, 0, bad.length, T0);
            EngineEvent.Closed c = closed(receiver);
            assertEquals(CloseReason.SEQUENCE, c.reason(), d + " " + type);
            assertEquals(ErrorCode.SEQ, assertInstanceOf(SequenceException.class, c.cause()).code());
            assertNull(receiver.pollOutput(), "no PONG, no BYE");
        }
    }

    @Test
    void receiverAcceptsByeAtSeqFfffffff() throws Exception {
        for (Direction d : Direction.values()) {
            KnownKeys k = new KnownKeys(T0);
            UsmpEngine receiver = k.pair.receiver(d);
            receiver.jumpSequences(0, 0xFFFFFFFFL);
            byte[] bye = KnownKeys.seal(d == Direction.CLIENT_TO_SERVER ? k.c2s : k.s2c, PacketType.BYE, 0xFFFFFFFFL,
                    new byte[0]);
            receiver.receive(bye, 0, bye.length, T0);
            assertEquals(CloseReason.PEER_BYE, closed(receiver).reason());
        }
    }

    @Test
    void replayOfDerivedSessionStillProducesExpectedFirstDataFrame() throws Exception {
        KnownKeys k = new KnownKeys(T0);
        k.pair.client.send("hello".getBytes(), T0);
        byte[] wire = k.pair.client.pollOutput();
        assertNotNull(wire);
        assertArrayEquals(hex(KnownKeys.V.get("frames").get("DATA_c2s_seq0_hello")), wire);
    }
}
