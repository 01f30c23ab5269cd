package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ServerListener;
import io.usmp.ServerStatistics;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.protocol.BackpressureException;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.UsmpException;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A device that sends but never reads, while the listener answers each message: the gateway's
 * output for it stays below the high water mark plus one message, further replies are refused with
 * {@link BackpressureException}, the session is closed as a {@link CloseReason#SLOW_CONSUMER}, and
 * another device's traffic goes on meanwhile.
 */
class OutputBackpressureTest {
    private static final int LOW = 8 * 1024;
    private static final int HIGH = 16 * 1024;
    /** Largest replies (4 frames of 492 bytes): the kernel's autotuned send buffer (up to 4 MiB) fills soon. */
    private static final int REPLY = 1808;
    /** What Netty counts for one reply: 4 full frames, each plus its 96-byte entry overhead. */
    private static final int REPLY_ACCOUNTED = 4 * (Frame.HEADER_LENGTH + Frame.MAX_PAYLOAD + 96);
    /** Upper bound of the loop: 54 MB of replies, far more than the water mark and the kernel's buffers. */
    private static final int MESSAGES = 30_000;
    private static final DeviceId SLOW = Loopback.device(1);
    private static final DeviceId OTHER = Loopback.device(2);

    private final Loopback loopback = new Loopback();

    @AfterEach
    void tearDown() {
        loopback.close();
    }

    @Test
    void deviceThatNeverReadsStaysBoundedAndIsClosedAsSlowConsumer() throws Exception {
        AtomicInteger replied = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger otherFailures = new AtomicInteger();
        AtomicReference<UsmpSession> slowSession = new AtomicReference<>();
        CompletableFuture<CloseReason> slowClosed = new CompletableFuture<>();
        ServerListener listener = new ServerListener() {
            @Override
            public void onSession(UsmpSession session) {
                if (session.deviceId().equals(SLOW)) {
                    slowSession.set(session);
                }
            }

            @Override
            public void onMessage(UsmpSession session, byte[] payload) {
                byte[] reply = session.deviceId().equals(SLOW) ? new byte[REPLY] : payload;
                try {
                    // Not waiting for the write: a reply to a device that does not read would never complete.
                    session.send(reply).whenComplete((v, e) -> {
                        if (e == null) {
                            replied.incrementAndGet();
                        } else if (e instanceof BackpressureException) {
                            refused.incrementAndGet();
                        } else {
                            otherFailures.incrementAndGet(); // accepted, then dropped when the session closed
                        }
                    });
                } catch (UsmpException e) {
                    otherFailures.incrementAndGet();
                }
            }

            @Override
            public void onClosed(UsmpSession session, CloseReason reason, UsmpException cause) {
                if (session.deviceId().equals(SLOW)) {
                    slowClosed.complete(reason);
                }
            }
        };
        UsmpServer server = loopback.start(Loopback.config().writeBufferWaterMarks(LOW, HIGH)
                .slowConsumerTimeout(Duration.ofSeconds(2)), listener);

        RawDevice slow = loopback.add(RawDevice.connect(server.localAddress(), 4096));
        slow.handshake(SLOW, Loopback.PSK);
        Loopback.await("slow session", () -> slowSession.get() != null);
        GatewaySession gatewaySide = (GatewaySession) slowSession.get();

        // The device writes small messages in batches and never reads; its writes end when the gateway hangs up.
        CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
            int sent = 0;
            try {
                while (sent < MESSAGES) {
                    ByteArrayOutputStream batch = new ByteArrayOutputStream();
                    for (int i = 0; i < 100; i++, sent++) {
                        batch.writeBytes(slow.sealNext(PacketType.DATA, new byte[] {(byte) i}));
                    }
                    slow.write(batch.toByteArray());
                }
            } catch (IOException e) {
                // the gateway closed the connection: expected
            }
            return sent;
        });

        Loopback.await("the slow session to become unwritable", () -> !gatewaySide.isWritable(),
                () -> "replied " + replied.get() + ", stats " + server.statistics());
        // A send to the unwritable session is refused at once, with the typed exception; nothing is queued.
        ExecutionException refusedSend = assertThrows(ExecutionException.class,
                () -> gatewaySide.send(new byte[] {1, 2, 3}).toCompletableFuture().get(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertInstanceOf(BackpressureException.class, refusedSend.getCause());
        assertEquals(CloseReason.SLOW_CONSUMER, ((BackpressureException) refusedSend.getCause()).reason());
        assertTrue(gatewaySide.isOpen(), "a refused send leaves the session open");
        ServerStatistics during = server.statistics();
        assertTrue(during.unwritableEvents() >= 1, "unwritable event counted: " + during);
        assertTrue(during.outboundBytesPending() > 0, "pending output shown: " + during);

        // Another device is served while the slow one is unwritable.
        UsmpClient other = loopback.connect(Loopback.client(server, OTHER));
        for (int i = 0; i < 20; i++) {
            byte[] m = {(byte) i, 42};
            other.send(m);
            assertArrayEquals(m, other.receive(Loopback.WAIT), "echo " + i + " to the other device");
        }

        assertEquals(CloseReason.SLOW_CONSUMER, slowClosed.get(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        int written = writer.get(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(other.isOpen(), "the other device's session is unaffected");
        assertFalse(gatewaySide.isOpen());

        long max = ((EngineHandler) gatewaySide.handler()).maxOutboundPending();
        ServerStatistics after = server.statistics();
        System.out.printf("slow consumer: device wrote %d messages, gateway decoded %d, %d replies written, %d refused, "
                        + "%d dropped at close, max outbound %d B (high %d + one reply %d), unwritable events %d%n",
                written, after.messagesReceived(), replied.get(), refused.get(), otherFailures.get(), max, HIGH, REPLY_ACCOUNTED,
                after.unwritableEvents());
        assertTrue(max <= HIGH + REPLY_ACCOUNTED, "outbound buffer " + max + " exceeded high mark + one message");
        assertTrue(max > HIGH, "the water mark was reached: " + max);
        assertEquals(refused.get() + 1, after.sendsRefused(), "the listener's refused replies and ours");
        assertTrue(after.messagesReceived() < written / 2, "the gateway stopped reading a device it cannot answer: decoded "
                + after.messagesReceived() + " of " + written);
        assertEquals(1L, Loopback.count(after.sessionsClosed(), CloseReason.SLOW_CONSUMER));
    }
}
