package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ServerListener;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.UsmpException;
import io.usmp.wire.PacketType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A listener that blocks makes the gateway pause reading. The pause is ours, so the watchdog does
 * not blame the device for it; and whatever ends the session while input waits in the gateway, the
 * complete messages already read reach the listener before onClosed.
 */
class PausedInputTest {
    private static final int CAPACITY = 2;
    /** 5 frames of 340 bytes: one socket read (Netty starts with 2 KiB buffers) takes them all. */
    private static final int HELD = 5;

    private final Loopback loopback = new Loopback();

    @AfterEach
    void tearDown() {
        loopback.close();
    }

    /** Records "m<n>" and "closed:<reason>" in order; the first onMessage blocks until released. */
    static final class Blocking implements ServerListener {
        final CountDownLatch release = new CountDownLatch(1);
        final long blockMillis;
        final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        final AtomicReference<UsmpSession> session = new AtomicReference<>();
        private boolean blocked;

        Blocking(long blockMillis) {
            this.blockMillis = blockMillis;
        }

        @Override
        public void onSession(UsmpSession s) {
            session.set(s);
        }

        @Override
        public void onMessage(UsmpSession s, byte[] payload) {
            if (!blocked) {
                blocked = true;
                try {
                    release.await(blockMillis, TimeUnit.MILLISECONDS); // a slow listener: blocks, or until released
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            events.add("m" + ByteBuffer.wrap(payload).getInt());
        }

        @Override
        public void onClosed(UsmpSession s, CloseReason reason, UsmpException cause) {
            events.add("closed:" + reason.kind());
        }

        List<String> take(int n) throws InterruptedException {
            List<String> got = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String e = events.poll(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (e == null) {
                    break;
                }
                got.add(e);
            }
            return got;
        }
    }

    /**
     * 300 bytes, so that one frame's worth of input fed to the engine (492 bytes) completes at most
     * two messages and the pause takes effect after a few of them.
     */
    private static byte[] numbered(int i) {
        return ByteBuffer.allocate(300).putInt(i).array();
    }

    private static List<String> expected(int messages, String closed) {
        List<String> l = new ArrayList<>();
        for (int i = 1; i <= messages; i++) {
            l.add("m" + i);
        }
        if (closed != null) {
            l.add("closed:" + closed);
        }
        return l;
    }

    @Test
    void watchdogDoesNotCloseASessionTheGatewayPaused() throws Exception {
        Blocking listener = new Blocking(1_500);
        UsmpServer server = loopback.start(Loopback.config().sessionTimeout(Duration.ofMillis(600))
                .inboundQueueCapacity(CAPACITY), listener);
        UsmpClient client = loopback.connect(Loopback.client(server, Loopback.DEVICE).keepalive(Duration.ofMillis(200)));
        int messages = 6;
        for (int i = 1; i <= messages; i++) {
            client.send(numbered(i));
        }
        // The listener holds the first message for 1.5 s; the device only PINGs every 200 ms meanwhile.
        assertEquals(expected(messages, null), listener.take(messages));
        // Still alive for more than two session timeouts after the backlog drained: the PINGs count again.
        assertNull(listener.events.poll(1_300, TimeUnit.MILLISECONDS), "session closed although the device pinged");
        assertTrue(client.isOpen());
        assertEquals(0, Loopback.total(server.statistics().sessionsClosed()));
    }

    /** Connects a raw device, writes HELD messages (and {@code extra}) in one write, waits until the gateway paused. */
    private RawDevice heldMessages(UsmpServer server, Blocking listener, byte[] extra) throws Exception {
        RawDevice device = loopback.raw(server);
        device.handshake(Loopback.DEVICE, Loopback.PSK);
        Loopback.await("onSession", () -> listener.session.get() != null);
        long before = server.statistics().bytesReceived();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 1; i <= HELD; i++) {
            wire.writeBytes(device.sealNext(PacketType.DATA, numbered(i)));
        }
        wire.writeBytes(extra);
        device.write(wire.toByteArray());
        Loopback.await("the gateway to read the frames and pause", () -> server.statistics().messagesReceived() >= CAPACITY
                && server.statistics().bytesReceived() >= before + wire.size(),
                () -> "before " + before + " wrote " + wire.size() + " " + server.statistics());
        assertTrue(server.statistics().messagesReceived() < HELD, "reading paused with messages still held");
        return device;
    }

    @Test
    void heldMessagesAreDeliveredWhenThePeerResetsTheConnection() throws Exception {
        Blocking listener = new Blocking(Loopback.WAIT.toMillis());
        UsmpServer server = loopback.start(Loopback.config().inboundQueueCapacity(CAPACITY), listener);
        RawDevice device = heldMessages(server, listener, new byte[0]);
        device.socket().setSoLinger(true, 0);
        device.close(); // RST: the gateway learns of it on its next write
        UsmpSession session = listener.session.get();
        for (int i = 0; i < 50 && session.isOpen(); i++) {
            session.send(new byte[] {1}).toCompletableFuture().handle((v, e) -> null).get(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        Loopback.await("the gateway to see the reset", () -> !session.isOpen());
        listener.release.countDown();
        assertEquals(expected(HELD, "peer_disconnected"), listener.take(HELD + 1));
    }

    @Test
    void heldMessagesAreDeliveredWhenTheServerCloses() throws Exception {
        Blocking listener = new Blocking(Loopback.WAIT.toMillis());
        UsmpServer server = loopback.start(Loopback.config().inboundQueueCapacity(CAPACITY), listener);
        RawDevice device = heldMessages(server, listener, new byte[0]);
        Thread closer = new Thread(() -> server.close(Loopback.WAIT.toMillis()));
        closer.start();
        try {
            byte[] fromServer = device.readUntilClosed(); // BYE, then the gateway hangs up
            assertEquals(PacketType.BYE, device.openFromServer(fromServer));
        } finally {
            listener.release.countDown();
            closer.join(Loopback.WAIT.toMillis());
        }
        assertEquals(expected(HELD, "local"), listener.take(HELD + 1));
    }

    @Test
    void heldMessagesBeforeAViolatingFrameAreDeliveredAndTheFrameIsNot() throws Exception {
        Blocking listener = new Blocking(Loopback.WAIT.toMillis());
        UsmpServer server = loopback.start(Loopback.config().inboundQueueCapacity(CAPACITY), listener);
        RawDevice device = loopback.raw(server);
        device.handshake(Loopback.DEVICE, Loopback.PSK);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 1; i <= HELD; i++) {
            wire.writeBytes(device.sealNext(PacketType.DATA, numbered(i)));
        }
        byte[] corrupt = device.sealNext(PacketType.DATA, numbered(99));
        corrupt[corrupt.length - 1] ^= 1; // CRC no longer matches
        wire.writeBytes(corrupt);
        device.write(wire.toByteArray());
        Loopback.await("the gateway to read and pause", () -> server.statistics().messagesReceived() >= CAPACITY);
        listener.release.countDown();
        assertEquals(expected(HELD, "bad_frame"), listener.take(HELD + 1));
        assertNull(listener.events.poll(100, TimeUnit.MILLISECONDS), "nothing after onClosed");
    }
}
