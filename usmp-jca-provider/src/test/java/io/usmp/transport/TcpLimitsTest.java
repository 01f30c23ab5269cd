package io.usmp.transport;

import static io.usmp.transport.Loopback.DEVICE;
import static io.usmp.transport.Loopback.UNKNOWN;
import static io.usmp.transport.Loopback.count;
import static io.usmp.transport.Loopback.total;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.AuthException;
import io.usmp.protocol.CloseReason;
import io.usmp.ServerStatistics;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import io.usmp.protocol.UsmpTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SPEC §6 limits over real sockets: connection caps, lockout, handshake slots. */
class TcpLimitsTest {
    private final Loopback loopback = new Loopback();
    private final Recorder recorder = new Recorder(true);

    @AfterEach
    void tearDown() {
        loopback.close();
    }

    /** A refused socket: closed at once, not a byte written, no handshake work, counted as refused. */
    private void assertRefused(UsmpServer server, long refusedBefore) throws Exception {
        long failuresBefore = total(server.statistics().handshakeFailures());
        RawDevice extra = loopback.raw(server);
        assertEquals(0, extra.readUntilClosed().length);
        Loopback.await("refusal counted", () -> server.statistics().refusedConnections() == refusedBefore + 1,
                () -> server.statistics().toString());
        assertEquals(failuresBefore, total(server.statistics().handshakeFailures()), "a refusal is not a handshake failure");
        assertTrue(recorder.failed.isEmpty(), "no onHandshakeFailed for a refusal");
    }

    @Test
    void overTotalConnectionsIsClosedAtOnce() throws Exception {
        UsmpServer server = loopback.start(Loopback.config().maxConnections(2, 100), recorder);
        UsmpClient a = loopback.connect(Loopback.client(server, Loopback.device(1)));
        loopback.connect(Loopback.client(server, Loopback.device(2)));

        assertRefused(server, 0);

        // The count is released when a connection ends: a new device gets in again.
        a.close();
        Loopback.await("first connection released", () -> recorder.closed.size() == 1);
        UsmpClient c = loopback.connect(Loopback.client(server, Loopback.device(3)));
        c.send(new byte[] {7});
        assertArrayEquals(new byte[] {7}, c.receive(Loopback.WAIT));
        assertEquals(1, server.statistics().refusedConnections());
        assertEquals(3, server.statistics().handshakesSucceeded());
    }

    @Test
    void overPerIpConnectionsIsClosedAtOnce() throws Exception {
        UsmpServer server = loopback.start(Loopback.config().maxConnections(100, 1), recorder);
        UsmpClient a = loopback.connect(Loopback.client(server, Loopback.device(1)));

        assertRefused(server, 0);
        assertRefused(server, 1);

        a.send(new byte[] {1});
        assertArrayEquals(new byte[] {1}, a.receive(Loopback.WAIT), "the admitted session is unaffected");
        assertEquals(2, server.statistics().refusedConnections());
        assertEquals(1, server.statistics().handshakesSucceeded());
    }

    /** One failed handshake from 127.0.0.1: an unknown device's HELLO, closed without a reply. */
    private void failOnce(UsmpServer server) throws Exception {
        RawDevice raw = loopback.raw(server);
        raw.write(RawDevice.hello(UNKNOWN));
        assertEquals(0, raw.readUntilClosed().length);
        // Wait for the listener: it runs after the failure was recorded in the lockout table.
        assertSame(AuthException.class, recorder.nextFailed().cause().getClass());
    }

    /**
     * The gateway records handshake failures in its admission table and consults it on accept. The
     * lockout windows themselves (edges, growth, reset) are {@link AdmissionTest}'s, with a fake
     * clock: nothing here depends on a connection landing inside a window.
     */
    @Test
    void lockoutAfterThresholdThenARetryingDeviceGetsBackInAndResetsTheCount() throws Exception {
        UsmpServer server = loopback.start(Loopback.config().lockout(3, 60, 16), recorder);
        failOnce(server);
        failOnce(server);
        assertEquals(0, server.statistics().lockouts(), "below the threshold");
        failOnce(server);
        assertEquals(3, count(server.statistics().handshakeFailures(), CloseReason.AUTH));
        assertEquals(1, server.statistics().lockouts(), "the third failure locked 127.0.0.1 out");

        // A correct device retrying (as devices do) gets in once the lockout (1 s) ends.
        UsmpClient client = null;
        int attempts = 0;
        while (client == null) {
            attempts++;
            assertTrue(attempts <= 200, "still refused after 200 attempts: " + server.statistics());
            try {
                client = loopback.connect(Loopback.client(server, DEVICE));
            } catch (IOException refused) {
                Thread.sleep(50); // the device's retry interval
            }
        }
        // The device may see SESSION_OK a moment before the gateway has counted the success.
        Loopback.await("success counted", () -> server.statistics().handshakesSucceeded() == 1);
        ServerStatistics s = server.statistics();
        assertEquals(3, total(s.handshakeFailures()), "refused retries are not failures: " + s.handshakeFailures());
        assertEquals(attempts - 1, s.refusedConnections(), "every retry before the successful one was refused");
        assertEquals(1, s.lockouts(), "refusals do not extend the lockout");
        client.send(new byte[] {9});
        assertArrayEquals(new byte[] {9}, client.receive(Loopback.WAIT));
        client.close();

        // The gateway reported the success: two more failures stay below the threshold of 3.
        failOnce(server);
        failOnce(server);
        UsmpClient again = loopback.connect(Loopback.client(server, DEVICE));
        again.send(new byte[] {7});
        assertArrayEquals(new byte[] {7}, again.receive(Loopback.WAIT));
        assertEquals(attempts - 1, server.statistics().refusedConnections(), "no lockout after the reset");
        assertEquals(1, server.statistics().lockouts());
        assertEquals(5, total(server.statistics().handshakeFailures()));
    }

    @Test
    void waitingConnectionGetsAHandshakeSlotWhenIdleOnesTimeOut() throws Exception {
        UsmpServer server = loopback.start(Loopback.config().maxConcurrentHandshakes(2)
                .handshakeTimeout(Duration.ofMillis(500)), recorder);
        // Two devices that stall after HELLO: the CHALLENGE proves each holds one of the two slots.
        for (int i = 0; i < 2; i++) {
            RawDevice idle = loopback.raw(server);
            idle.write(RawDevice.hello(Loopback.device(100 + i)));
            assertEquals(RawDevice.CHALLENGE_FRAME, idle.readFrame().length);
        }
        // The handshake timeout counts from accept, for the waiting connection too (SPEC §6): leave
        // it a margin past the moment the stalled ones are dropped. Not a speed assertion.
        Thread.sleep(200);
        CompletableFuture<UsmpClient> third = CompletableFuture.supplyAsync(() -> {
            try {
                return loopback.connect(Loopback.client(server, DEVICE));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        UsmpClient client = third.get(Loopback.WAIT.toSeconds(), TimeUnit.SECONDS);
        client.send(new byte[] {3});
        assertArrayEquals(new byte[] {3}, client.receive(Loopback.WAIT));

        for (int i = 0; i < 2; i++) {
            assertSame(UsmpTimeoutException.class, recorder.nextFailed().cause().getClass());
        }
        ServerStatistics s = server.statistics();
        assertEquals(1, s.handshakesSucceeded());
        assertEquals(2, count(s.handshakeFailures(), CloseReason.TIMEOUT), () -> "failures " + s.handshakeFailures());
        assertEquals(0, s.refusedConnections(), "waiting is not refusal");
        // The third only got its slot after a stalled one gave it up (the two time out close together,
        // so the session may come after one or both failures, never before both).
        List<String> order = recorder.order();
        assertEquals(3, order.size(), () -> "order " + order);
        assertTrue(order.indexOf("session") > 0, () -> "order " + order);
    }

    /**
     * SPEC §6 as refined: ten idle sockets from one address hold only that address's share of the
     * handshake slots, lose them after the HELLO timeout, and are not counted as failures, so a
     * device on another address is never starved and nobody is locked out.
     */
    @Test
    void idleSocketsFromOneSourceNeitherStarveNorLockOutAnother() throws Exception {
        UsmpServer server = loopback.start(Loopback.config().maxConcurrentHandshakes(10).maxHandshakesPerIp(3)
                .helloTimeout(Duration.ofMillis(300)).lockout(2, 60, 16), recorder);
        List<RawDevice> idle = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            idle.add(loopback.raw(server, "127.0.0.2"));
        }
        RawDevice device = loopback.raw(server, "127.0.0.3");
        device.handshake(DEVICE, Loopback.PSK);
        for (RawDevice r : idle) {
            assertEquals(0, r.readUntilClosed(Loopback.WAIT).length, "closed without a byte, after the HELLO timeout");
        }
        Loopback.await("ten HELLO timeouts", () -> count(server.statistics().handshakeFailures(), CloseReason.TIMEOUT) == 10,
                () -> String.valueOf(server.statistics()));
        ServerStatistics s = server.statistics();
        assertEquals(0, s.lockouts(), "no HELLO, no authentication failure: nothing counts toward the lockout");
        assertEquals(0, s.refusedConnections());
        RawDevice later = loopback.raw(server, "127.0.0.2");
        later.handshake(DEVICE, Loopback.PSK);
        Loopback.await("127.0.0.2 is not locked out: its device got a session", () -> server.statistics()
                .handshakesSucceeded() == 2);
    }
}
