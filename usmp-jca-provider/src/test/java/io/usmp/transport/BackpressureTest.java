package io.usmp.transport;

import static io.usmp.transport.Loopback.DEVICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.CloseReason;
import io.usmp.ServerListener;
import io.usmp.UsmpClient;
import io.usmp.protocol.UsmpException;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A slow listener makes the gateway stop reading the device's socket instead of buffering messages. */
class BackpressureTest {
    private static final int CAPACITY = 4;
    private static final int MESSAGES = 2000;
    /** Small; 2000 of them (480 KB on the wire) are more than the gateway may take off the socket while blocked. */
    private static final int SIZE = 200;

    private final Loopback loopback = new Loopback();

    @AfterEach
    void tearDown() {
        loopback.close();
    }

    @Test
    void blockedListenerBoundsReadingAndLosesNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> received = Collections.synchronizedList(new ArrayList<>());
        List<CloseReason> closed = Collections.synchronizedList(new ArrayList<>());
        ServerListener slow = new ServerListener() {
            @Override
            public void onMessage(UsmpSession session, byte[] payload) {
                try {
                    if (!release.await(60, TimeUnit.SECONDS)) {
                        return; // the test has failed already; do not hang the delivery thread
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                received.add(ByteBuffer.wrap(payload).getInt());
            }

            @Override
            public void onClosed(UsmpSession session, CloseReason reason, UsmpException cause) {
                closed.add(reason);
            }
        };
        UsmpServer server = loopback.start(Loopback.config().inboundQueueCapacity(CAPACITY), slow);
        UsmpClient client = loopback.connect(Loopback.client(server, DEVICE));

        AtomicInteger sent = new AtomicInteger();
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            Future<?> sending = sender.submit(() -> {
                for (int i = 0; i < MESSAGES; i++) {
                    byte[] m = new byte[SIZE];
                    ByteBuffer.wrap(m).putInt(i);
                    client.send(m);
                    sent.incrementAndGet();
                }
                return null;
            });

            // Give the sender time to fill every buffer: until it stalls (no progress for 500 ms) or 3 s passed.
            long start = System.nanoTime();
            int last = -1;
            long lastProgress = System.nanoTime();
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3) && !sending.isDone()) {
                int now = sent.get();
                if (now != last) {
                    last = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > TimeUnit.MILLISECONDS.toNanos(500)) {
                    break;
                }
                Thread.sleep(20);
            }
            long decoded = server.statistics().messagesReceived();
            assertTrue(decoded <= CAPACITY + 20, "messages taken off the socket while the listener is blocked: " + decoded
                    + " (client had written " + sent.get() + ")");
            assertTrue(received.isEmpty());
            // What the client wrote beyond that waits in the kernel's socket buffers (loopback buffers
            // may well hold all of it), not in the gateway: it read at most a few Netty reads' worth.
            long read = server.statistics().bytesReceived();
            assertTrue(read < 128 * 1024, "bytes read by the gateway while blocked: " + read + " (client had written "
                    + (long) sent.get() * (SIZE + 40) + ")");
            // Still bounded a little later: reading really stopped.
            Thread.sleep(200);
            assertEquals(decoded, server.statistics().messagesReceived(), "reading resumed while the listener was blocked");

            release.countDown();
            sending.get(60, TimeUnit.SECONDS);
            Loopback.await("all " + MESSAGES + " messages delivered", () -> received.size() == MESSAGES,
                    () -> "delivered " + received.size());
        } finally {
            release.countDown();
            sender.shutdownNow();
        }
        for (int i = 0; i < MESSAGES; i++) {
            assertEquals(i, received.get(i), "message order");
        }
        assertEquals(MESSAGES, server.statistics().messagesReceived());
        assertTrue(closed.isEmpty(), "session survived: " + closed);
        assertTrue(client.isOpen());
    }
}
