package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ServerListener;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.UsmpException;
import io.usmp.wire.PacketType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery order at the gateway: one device's messages reach a slow listener in order and one at a
 * time across its reconnects; and a quiet device is served within (busy devices × turn) deliveries
 * of others (fairness of the keyed {@link DeliveryScheduler}).
 */
class DeviceOrderTest {
    private static final int CYCLES = 20;

    private final Loopback loopback = new Loopback();

    @AfterEach
    void tearDown() {
        loopback.close();
    }

    @Test
    void oneDeviceInOrderAndNeverConcurrentAcrossReconnects() throws Exception {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger closes = new AtomicInteger();
        ServerListener slow = new ServerListener() {
            @Override
            public void onSession(UsmpSession session) {
                overlap();
            }

            @Override
            public void onMessage(UsmpSession session, byte[] payload) {
                int now = inFlight.incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
                try {
                    Thread.sleep(3); // a slow listener
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                seen.add(ByteBuffer.wrap(payload).getInt());
                inFlight.decrementAndGet();
            }

            @Override
            public void onClosed(UsmpSession session, CloseReason reason, UsmpException cause) {
                overlap();
                closes.incrementAndGet();
            }

            private void overlap() {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                inFlight.decrementAndGet();
            }
        };
        // Several delivery workers, so that only the per-device line keeps the calls serial.
        UsmpServer server = loopback.start(Loopback.config().deliveries(4, 2), slow);
        int next = 1;
        UsmpClient previous = null;
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            UsmpClient client = UsmpClient.connect(Loopback.client(server, Loopback.DEVICE).build());
            if (previous != null) {
                previous.close(); // odd cycles: the gateway superseded it already; even: it was closed with BYE below
            }
            int count = cycle % 2 == 0 ? 10 : 2;
            for (int i = 0; i < count; i++) {
                client.send(ByteBuffer.allocate(4).putInt(next++).array());
            }
            if (cycle % 2 == 0) {
                previous = client; // reconnect without closing: the new session supersedes this one
            } else {
                client.close(); // orderly: BYE, then reconnect
                previous = null;
            }
        }
        if (previous != null) {
            previous.close();
        }
        int total = next - 1;
        Loopback.await("all " + total + " messages", () -> seen.size() == total, () -> "seen " + seen.size());
        Loopback.await("every session closed", () -> closes.get() == CYCLES, () -> "closed " + closes.get());
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            expected.add(i);
        }
        assertEquals(expected, List.copyOf(seen), "one device's messages in order across " + CYCLES + " sessions");
        assertEquals(1, maxInFlight.get(), "listener calls of one device never overlap");
    }

    @Test
    void quietDeviceWaitsAtMostBusyDevicesTimesTurnDeliveries() throws Exception {
        int busyDevices = 4;
        int turn = 3;
        int perBusy = 15;
        DeviceId quiet = Loopback.device(100);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger blockedAtGate = new AtomicInteger();
        AtomicInteger busyStarts = new AtomicInteger();
        AtomicInteger startsWhenQuietRan = new AtomicInteger(-1);
        CountDownLatch quietSession = new CountDownLatch(1);
        CountDownLatch quietDelivered = new CountDownLatch(1);
        ServerListener listener = new ServerListener() {
            @Override
            public void onSession(UsmpSession session) {
                if (session.deviceId().equals(quiet)) {
                    quietSession.countDown();
                } else {
                    busyStarts.incrementAndGet();
                }
            }

            @Override
            public void onMessage(UsmpSession session, byte[] payload) {
                if (session.deviceId().equals(quiet)) {
                    startsWhenQuietRan.set(busyStarts.get());
                    quietDelivered.countDown();
                    return;
                }
                busyStarts.incrementAndGet();
                if (quietDelivered.getCount() == 0) {
                    return; // the measurement is over: drain fast
                }
                try {
                    if (gate.getCount() > 0) {
                        blockedAtGate.incrementAndGet();
                        gate.await(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    Thread.sleep(20); // a slow listener: 20 ms per message
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        TcpGateway server = (TcpGateway) loopback.start(Loopback.config().deliveries(2, turn), listener);
        UsmpClient quietClient = loopback.connect(Loopback.client(server, quiet));
        assertTrue(quietSession.await(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS));

        List<UsmpClient> busy = new ArrayList<>();
        for (int d = 0; d < busyDevices; d++) {
            busy.add(loopback.connect(Loopback.client(server, Loopback.device(d + 1))));
        }
        for (int i = 0; i < perBusy; i++) {
            for (UsmpClient c : busy) {
                c.send(new byte[] {(byte) i});
            }
        }
        // Both workers hold a busy delivery; every busy message is queued on its device's line.
        Loopback.await("both workers blocked and all busy messages decoded", () -> blockedAtGate.get() == 2
                && server.statistics().messagesReceived() == (long) busyDevices * perBusy);
        quietClient.send(new byte[] {42});
        Loopback.await("the quiet message queued", () -> server.queuedDeliveries(quiet) == 1);
        int startsAtQueueing = busyStarts.get();
        gate.countDown();

        assertTrue(quietDelivered.await(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        int before = startsWhenQuietRan.get() - startsAtQueueing;
        int bound = busyDevices * turn;
        System.out.printf("fairness: %d busy deliveries started between the quiet message's queueing and its delivery "
                + "(bound %d busy devices x turn %d = %d)%n", before, busyDevices, turn, bound);
        assertTrue(before <= bound, before + " deliveries went first, more than " + bound);
        assertTrue(before >= turn, "busy lines were ahead of it (else the test proves nothing): " + before);
    }

    /**
     * A session that was itself held behind a lingering predecessor and ended before it: the device's
     * next session must still queue behind it. Z lingers (a raw device that ignores the gateway's BYE),
     * A supersedes Z, sends and ends with BYE while Z lingers, B comes: B's message waits for A's.
     */
    @Test
    void aSessionHeldBehindALingeringOneKeepsItsPlaceWhenItEndsFirst() throws Exception {
        Recorder recorder = new Recorder(false);
        UsmpServer server = loopback.start(Loopback.config().closeLinger(Duration.ofSeconds(30)), recorder);
        RawDevice z = loopback.raw(server);
        z.handshake(Loopback.DEVICE, Loopback.PSK);
        z.write(z.sealNext(PacketType.DATA, utf8("z1")));
        assertEquals("z1", text(recorder.nextMessage()));
        try (UsmpClient a = loopback.connect(Loopback.client(server, Loopback.DEVICE))) {
            a.send(utf8("a1"));
            a.send(utf8("a2"));
        }
        // A's end reached the gateway (Z is still open), so B cannot find A still open.
        Loopback.await("A ended", () -> server.statistics().sessionsClosed().values().stream().mapToLong(Long::longValue).sum() == 1);
        try (UsmpClient b = loopback.connect(Loopback.client(server, Loopback.DEVICE))) {
            b.send(utf8("b1"));
            // Z is still lingering: neither A's nor B's messages may have been delivered yet.
            assertNull(recorder.messages.poll(500, TimeUnit.MILLISECONDS), "delivered while Z lingers");
            z.close();
            assertEquals(List.of("a1", "a2", "b1"),
                    List.of(text(recorder.nextMessage()), text(recorder.nextMessage()), text(recorder.nextMessage())));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Recorder.Message m) {
        return new String(m.payload(), StandardCharsets.UTF_8);
    }
}
