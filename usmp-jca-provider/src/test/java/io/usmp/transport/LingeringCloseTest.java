package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.UsmpServer;
import io.usmp.protocol.CloseReason;
import io.usmp.wire.PacketType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A gateway that closes (undeploy, server close) while a device is still sending loses nothing the
 * device sent before it saw the BYE: the gateway keeps reading until the device closes, and every
 * message the device wrote is delivered, in order, before onClosed.
 */
class LingeringCloseTest {
    private final Loopback loopback = new Loopback();
    private final Recorder recorder = new Recorder(false);

    @AfterEach
    void tearDown() {
        loopback.close();
    }

    @Test
    void everyMessageTheDeviceWroteBeforeItSawByeIsDeliveredWhenTheServerCloses() throws Exception {
        UsmpServer server = loopback.start(Loopback.config().closeLinger(Duration.ofSeconds(5)), recorder);
        RawDevice device = loopback.raw(server);
        device.handshake(Loopback.DEVICE, Loopback.PSK);
        AtomicBoolean sawBye = new AtomicBoolean();
        AtomicInteger written = new AtomicInteger();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                // Like a device: it writes until it has read the gateway's BYE, then closes.
                for (int n = 0; n < 100_000 && !sawBye.get(); n++) {
                    device.write(device.sealNext(PacketType.DATA, ByteBuffer.allocate(4).putInt(n).array()));
                    written.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Loopback.await("the device is sending", () -> written.get() > 200);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> server.close(10_000));
        assertSame(PacketType.BYE, device.openFromServer(device.readFrame()), "the gateway says BYE");
        sawBye.set(true);
        writer.get(Loopback.WAIT.toSeconds(), TimeUnit.SECONDS);
        device.close();
        closing.get(Loopback.WAIT.toSeconds(), TimeUnit.SECONDS);

        int sent = written.get();
        for (int n = 0; n < sent; n++) {
            assertEquals(n, ByteBuffer.wrap(recorder.nextMessage().payload()).getInt(), "message " + n + " of " + sent);
        }
        assertTrue(recorder.messages.isEmpty());
        assertEquals(CloseReason.LOCAL, recorder.nextClosed().reason());
    }
}
