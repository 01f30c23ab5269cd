package io.usmp.transport;

import io.usmp.protocol.Limits;
import static io.usmp.transport.Loopback.DEVICE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.CloseReason;
import io.usmp.protocol.ConnectionClosedException;
import io.usmp.protocol.PayloadException;
import io.usmp.UsmpClient;
import io.usmp.protocol.UsmpException;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.UsmpTransport;
import io.usmp.session.UsmpEngine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Messages over real loopback TCP: sizes around the chunk limits, concurrency, ordering, server close. */
class TcpMessagingTest {
    private static final int[] SIZES = {0, 1, 452, 453, 1808};

    private final Loopback loopback = new Loopback();

    @AfterEach
    void tearDown() {
        loopback.close();
    }

    private static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed * 7 + (i >>> 8));
        }
        return b;
    }

    @Test
    void acceptedSocketsSendWithoutNagleDelay() throws Exception {
        Recorder recorder = new Recorder(false);
        UsmpServer server = loopback.start(Loopback.config(), recorder);
        loopback.connect(Loopback.client(server, DEVICE));
        GatewaySession session = (GatewaySession) recorder.nextSession();
        // Netty's default, which the gateway relies on instead of setting it a second time per connection.
        assertEquals(Boolean.TRUE, ((EngineHandler) session.handler()).channel().config().getOption(io.netty.channel.ChannelOption.TCP_NODELAY));
    }

    @Test
    void messagesAtChunkBoundariesArriveIntactBothWays() throws Exception {
        Recorder recorder = new Recorder(false);
        UsmpServer server = loopback.start(Loopback.config(), recorder);
        UsmpClient client = loopback.connect(Loopback.client(server, DEVICE));
        UsmpSession session = recorder.nextSession();
        assertArrayEquals(client.sessionId(), session.sessionId());

        for (int n : SIZES) {
            byte[] up = pattern(n, 1);
            client.send(up);
            Recorder.Message m = recorder.nextMessage();
            assertSame(session, m.session());
            assertArrayEquals(up, m.payload(), "client->server " + n + " bytes");

            byte[] down = pattern(n, 2);
            session.send(down).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertArrayEquals(down, client.receive(Loopback.WAIT), "server->client " + n + " bytes");
        }
        assertEquals(SIZES.length, server.statistics().messagesReceived());
        assertEquals(SIZES.length, server.statistics().messagesSent());
    }

    /**
     * A listener of messages only (no onSession/onClosed: the gateway queues nothing for those):
     * a device's messages still arrive in order across a reconnect while the first session's are
     * still being delivered, and the gateway reports its listener idle only after all of them.
     */
    @Test
    void aListenerOfMessagesOnlyGetsThemInOrderAcrossAReconnectAndIdlesAfterThem() throws Exception {
        java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
        CountDownLatch firstHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        UsmpServer server = loopback.start(Loopback.config(), (session, payload) -> {
            String m = new String(payload, java.nio.charset.StandardCharsets.US_ASCII);
            if (m.equals("old-1")) {
                firstHeld.countDown();
                try {
                    release.await(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            got.add(m);
        });
        UsmpClient old = loopback.connect(Loopback.client(server, DEVICE));
        old.send("old-1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        old.send("old-2".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(firstHeld.await(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        UsmpClient fresh = loopback.connect(Loopback.client(server, DEVICE)); // supersedes the old session
        fresh.send("new-1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Loopback.await("old session closed", () -> !old.isOpen());
        assertFalse(server.awaitListenerIdle(50), "old-1 is still being delivered");
        release.countDown();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            order.add(got.poll(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
        assertEquals(List.of("old-1", "old-2", "new-1"), order);
        fresh.close();
        assertTrue(server.awaitListenerIdle(Loopback.WAIT.toMillis()));
        assertEquals(0, server.statistics().sessionsOpen());
        assertEquals(2, server.statistics().handshakesSucceeded());
    }

    @Test
    void oversizedMessageIsRefusedOnBothSidesAndSessionStaysUsable() throws Exception {
        Recorder recorder = new Recorder(false);
        UsmpServer server = loopback.start(Loopback.config(), recorder);
        UsmpClient client = loopback.connect(Loopback.client(server, DEVICE));
        UsmpSession session = recorder.nextSession();
        long bytesBefore = server.statistics().bytesReceived();

        assertThrows(PayloadException.class, () -> client.send(new byte[Limits.MAX_MESSAGE + 1]));
        assertThrows(PayloadException.class, () -> session.send(new byte[Limits.MAX_MESSAGE + 1]));

        assertTrue(client.isOpen());
        assertTrue(session.isOpen());
        byte[] up = pattern(Limits.MAX_MESSAGE, 3);
        client.send(up);
        assertArrayEquals(up, recorder.nextMessage().payload());
        // Nothing of the refused message went on the wire: the next frames start at seq 0 and are all there.
        assertEquals(4 * (12 + 28) + Limits.MAX_MESSAGE, server.statistics().bytesReceived() - bytesBefore);
        byte[] down = pattern(10, 4);
        session.send(down).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertArrayEquals(down, client.receive(Loopback.WAIT));
        assertTrue(recorder.closed.isEmpty());
    }

    @Test
    void hundredConcurrentClientsEachHandshakeAndEcho() throws Exception {
        Recorder recorder = new Recorder(true);
        UsmpServer server = loopback.start(Loopback.config(), recorder);
        UsmpTransport transport = loopback.add(UsmpTransport.create(2, r -> {
            Thread t = new Thread(r, "test-clients");
            t.setDaemon(true);
            return t;
        }));
        int clients = 100;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    go.await();
                    try (UsmpClient c = UsmpClient.connect(Loopback.client(server, Loopback.device(1000 + id))
                            .transport(transport).handshakeTimeout(java.time.Duration.ofSeconds(30)).build())) {
                        byte[] m = ("hello from " + id).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                        c.send(m);
                        byte[] echo = c.receive(java.time.Duration.ofSeconds(30));
                        return Arrays.equals(m, echo) ? m : null;
                    }
                }));
            }
            go.countDown();
            for (int i = 0; i < clients; i++) {
                assertTrue(results.get(i).get(60, TimeUnit.SECONDS) != null, "client " + i + " got its echo");
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(clients, server.statistics().handshakesSucceeded());
        assertEquals(clients, server.statistics().messagesReceived());
        assertEquals(0, Loopback.total(server.statistics().handshakeFailures()));
        Loopback.await("all sessions closed", () -> recorder.closed.size() == clients);
        assertTrue(recorder.closed.stream().allMatch(c -> c.reason() == CloseReason.PEER_BYE), "every client said BYE");
    }

    @Test
    void concurrentSendersOnOneClientNeverInterleaveFragments() throws Exception {
        Recorder recorder = new Recorder(false);
        UsmpServer server = loopback.start(Loopback.config(), recorder);
        UsmpClient client = loopback.connect(Loopback.client(server, DEVICE));
        int threads = 4;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        client.send(tagged(thread, i));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int[] nextPerThread = new int[threads];
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < threads * perThread; k++) {
            byte[] m = recorder.nextMessage().payload();
            assertEquals(Limits.MAX_MESSAGE, m.length);
            int thread = m[0];
            int index = m[1];
            assertArrayEquals(tagged(thread, index), m, "message intact (fragments of one message together)");
            assertEquals(nextPerThread[thread]++, index, "each sender's messages in its order");
            assertTrue(seen.add(thread + "/" + index));
        }
        assertEquals(threads * perThread, seen.size());
        assertTrue(recorder.closed.isEmpty());
    }

    /** 1808 bytes, every 452-byte chunk different, identifying the sender and its message. */
    private static byte[] tagged(int thread, int index) {
        byte[] m = new byte[Limits.MAX_MESSAGE];
        for (int i = 0; i < m.length; i++) {
            m[i] = (byte) (thread * 61 + index * 13 + i / 452 * 101 + i);
        }
        m[0] = (byte) thread;
        m[1] = (byte) index;
        return m;
    }

    @Test
    void fiveHundredMessagesKeepTheirOrder() throws Exception {
        Recorder recorder = new Recorder(false);
        UsmpServer server = loopback.start(Loopback.config(), recorder);
        UsmpClient client = loopback.connect(Loopback.client(server, DEVICE));
        for (int i = 0; i < 500; i++) {
            client.send(ByteBuffer.allocate(4 + i % 50).putInt(i).array());
        }
        for (int i = 0; i < 500; i++) {
            byte[] m = recorder.nextMessage().payload();
            assertEquals(4 + i % 50, m.length);
            assertEquals(i, ByteBuffer.wrap(m).getInt());
        }
        assertEquals(500, server.statistics().messagesReceived());
    }

    @Test
    void serverCloseSaysByeToConnectedClients() throws Exception {
        Recorder recorder = new Recorder(false);
        UsmpServer server = loopback.start(Loopback.config(), recorder);
        UsmpClient a = loopback.connect(Loopback.client(server, Loopback.device(1)));
        UsmpClient b = loopback.connect(Loopback.client(server, Loopback.device(2)));
        recorder.nextSession();
        recorder.nextSession();

        server.close();

        for (UsmpClient c : List.of(a, b)) {
            UsmpException e = assertThrows(UsmpException.class, () -> c.receive(Loopback.WAIT));
            assertTrue(e instanceof ConnectionClosedException, () -> "got " + e);
            assertEquals(CloseReason.PEER_BYE, e.reason());
            assertEquals(CloseReason.PEER_BYE, c.closeReason());
            assertFalse(c.isOpen());
            ConnectionClosedException late = assertThrows(ConnectionClosedException.class, () -> c.send(new byte[1]));
            assertEquals(CloseReason.PEER_BYE, late.reason(), "a send after the peer's BYE reports why the session ended");
        }
        assertEquals(CloseReason.LOCAL, recorder.nextClosed().reason());
        assertEquals(CloseReason.LOCAL, recorder.nextClosed().reason());
        assertNull(recorder.closed.poll());
    }

    @Test
    void peerDisconnectWithoutByeIsAnOrderlyEnd() throws Exception {
        Recorder recorder = new Recorder(false);
        UsmpServer server = loopback.start(Loopback.config(), recorder);
        RawDevice raw = loopback.raw(server);
        raw.handshake(DEVICE, Loopback.PSK);
        raw.write(raw.sealNext(io.usmp.wire.PacketType.DATA, new byte[] {42}));
        assertArrayEquals(new byte[] {42}, recorder.nextMessage().payload());

        raw.close(); // like a 1.0.x C client: no BYE

        Recorder.Closed closed = recorder.nextClosed();
        assertEquals(CloseReason.PEER_DISCONNECTED, closed.reason());
        assertFalse(closed.reason().isViolation());
        assertTrue(closed.cause() instanceof ConnectionClosedException);
        assertEquals(1, Loopback.count(server.statistics().sessionsClosed(), CloseReason.PEER_DISCONNECTED));
    }

    @Test
    void clientConfigCanBeReusedToReconnect() throws Exception {
        Recorder recorder = new Recorder(true);
        UsmpServer server = loopback.start(Loopback.config(), recorder);
        io.usmp.ClientConfig config = Loopback.client(server, DEVICE).build();
        for (int round = 0; round < 2; round++) {
            try (UsmpClient client = UsmpClient.connect(config)) {
                client.send(new byte[] {(byte) round});
                assertArrayEquals(new byte[] {(byte) round}, client.receive(Loopback.WAIT), "round " + round);
            }
        }
        assertEquals(2, server.statistics().handshakesSucceeded());
        assertEquals(0, Loopback.total(server.statistics().handshakeFailures()));
    }
}
