package io.usmp.ra.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ServerListener;
import io.usmp.UsmpSession;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.UsmpException;
import io.usmp.protocol.DeviceId;
import io.usmp.ra.api.DeviceMessage;
import io.usmp.ra.api.DeviceMessageListener;
import io.usmp.ra.api.DeviceNotConnectedException;
import io.usmp.ra.testing.FakeSession;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delivery loop against a container-like endpoint factory that commits unless the listener throws. */
class DeliveryLoopTest {
    private static final String DEVICE = "a1b2c3d4e5f6";

    @TempDir
    Path dir;

    private final Map<DeviceId, UsmpSession> current = new ConcurrentHashMap<>();

    /** Creates endpoints that call {@code listener}, then commit (or roll back when it threw) the enlisted XAResource. */
    private static final class Factory implements MessageEndpointFactory {
        private final Consumer<DeviceMessage> listener;

        Factory(Consumer<DeviceMessage> listener) {
            this.listener = listener;
        }

        @Override
        public MessageEndpoint createEndpoint(XAResource xa) {
            return new Endpoint(xa, listener);
        }

        @Override
        public MessageEndpoint createEndpoint(XAResource xa, long timeout) {
            return new Endpoint(xa, listener);
        }

        @Override
        public boolean isDeliveryTransacted(Method method) {
            return true;
        }

        @Override
        public String getActivationName() {
            return "test";
        }

        @Override
        public Class<?> getEndpointClass() {
            return Endpoint.class;
        }
    }

    private static final class Endpoint implements MessageEndpoint, DeviceMessageListener {
        private final XAResource xa;
        private final Consumer<DeviceMessage> listener;
        private boolean failed;

        Endpoint(XAResource xa, Consumer<DeviceMessage> listener) {
            this.xa = xa;
            this.listener = listener;
        }

        @Override
        public void onMessage(DeviceMessage message) {
            try {
                listener.accept(message);
            } catch (RuntimeException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void beforeDelivery(Method method) {
        }

        @Override
        public void afterDelivery() {
            try {
                if (failed) {
                    xa.rollback(null);
                } else {
                    xa.commit(null, true);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void release() {
        }
    }

    private DeliveryLoop loop(Consumer<DeviceMessage> listener, Path deadLetters) {
        return loop(listener, deadLetters, false);
    }

    private DeliveryLoop loop(Consumer<DeviceMessage> listener, Path deadLetters, boolean sessionEvents) {
        UsmpActivationSpec spec = new UsmpActivationSpec();
        spec.setDeliverSessionEvents(sessionEvents);
        spec.setMaxDeliveryAttempts(1);
        spec.setRedeliveryBackoffMillis(0);
        spec.setDeadLetterDirectory(deadLetters.toString());
        DeliveryLoop loop = DeliveryLoop.of(new Factory(listener), spec, d -> Optional.ofNullable(current.get(d)));
        loop.deadLetterRetryMillis = 20;
        loop.deadLetterRetryMaxMillis = 100;
        return loop;
    }

    private static List<Path> files(Path dir, String suffix) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).toList();
        }
    }

    private static void reply(DeviceMessage m, String text) {
        try {
            m.reply(text.getBytes(StandardCharsets.UTF_8));
        } catch (DeviceNotConnectedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the gateway is asked to queue a listener's session calls: it skips those the listener does not override. */
    private static boolean takesSessionCalls(DeliveryLoop loop) throws NoSuchMethodException {
        return loop.getClass().getMethod("onSession", UsmpSession.class).getDeclaringClass() != ServerListener.class
                && loop.getClass().getMethod("onClosed", UsmpSession.class, CloseReason.class, UsmpException.class)
                        .getDeclaringClass() != ServerListener.class;
    }

    @Test
    void withoutSessionEventsTheLoopDoesNotOverrideTheSessionCallsSoTheGatewayQueuesNone() throws Exception {
        DeliveryLoop loop = loop(m -> { }, dir.resolve("dlq"));
        assertFalse(takesSessionCalls(loop));
    }

    @Test
    void withSessionEventsTheMdbGetsTheOpeningAndTheClosingOfASession() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        DeliveryLoop loop = loop(m -> seen.add(m.kind() + (m.closeReason() == null ? "" : " " + m.closeReason())),
                dir.resolve("dlq"), true);
        assertTrue(takesSessionCalls(loop));
        FakeSession session = new FakeSession(DEVICE, 1);
        loop.onSession(session);
        loop.onMessage(session, new byte[] {1});
        loop.onClosed(session, CloseReason.PEER_BYE, null);
        assertEquals(List.of("SESSION_OPENED", "MESSAGE", "SESSION_CLOSED " + CloseReason.PEER_BYE.kind()), seen);
    }

    @Test
    void anUnwritableDeadLetterLocationHoldsTheDeliveryUntilItIsWritableThenWritesOnce() throws Exception {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a regular file where a directory should be"); // unwritable even for root
        Path location = blocker.resolve("dlq");
        DeliveryLoop loop = loop(m -> {
            throw new IllegalStateException("MDB refuses");
        }, location);
        FakeSession session = new FakeSession(DEVICE, 1);
        Thread delivery = new Thread(() -> loop.onMessage(session, "secret".getBytes(StandardCharsets.UTF_8)));
        delivery.start();
        try {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (loop.deadLetterFailures.sum() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(loop.deadLetterFailures.sum() >= 3, "retried: " + loop.deadLetterFailures.sum());
            assertFalse(loop.deadLetterWritable, "the MBean shows the location failing");
            assertTrue(delivery.isAlive(), "the delivery does not return while the message cannot be kept");
            assertEquals(0, loop.messagesFinished.sum());

            Files.delete(blocker);
            Files.createDirectory(blocker);
            delivery.join(5_000);
            assertFalse(delivery.isAlive(), "the delivery completes once the location is writable");
        } finally {
            loop.stop();
            delivery.join(5_000);
        }
        assertEquals(1, files(location, ".json").size(), "written exactly once");
        assertEquals(List.of(), files(location, ".tmp"));
        assertTrue(Files.readString(files(location, ".json").get(0)).contains(DEVICE));
        assertTrue(loop.deadLetterWritable);
        assertEquals(1, loop.deadLettered.sum());
        assertEquals(0, loop.deadLettersLost.sum());
        assertEquals(1, loop.messagesFinished.sum());
    }

    @Test
    void whenTheActivationStopsAMessageWhoseDeadLetterCannotBeWrittenIsCountedAsLost() throws Exception {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "x");
        DeliveryLoop loop = loop(m -> {
            throw new IllegalStateException("MDB refuses");
        }, blocker.resolve("dlq"));
        Thread delivery = new Thread(() -> loop.onMessage(new FakeSession(DEVICE, 1), new byte[] {1}));
        delivery.start();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (loop.deadLetterFailures.sum() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        loop.stop();
        delivery.join(5_000);
        assertFalse(delivery.isAlive(), "stop ends the wait");
        assertEquals(1, loop.deadLettersLost.sum());
        assertEquals(0, loop.deadLettered.sum());
        assertEquals(1, loop.messagesFinished.sum());
    }

    @Test
    void aCommittedReplyGoesToTheDevicesNewSessionAfterAReconnect() {
        FakeSession old = new FakeSession(DEVICE, 1);
        FakeSession reconnected = new FakeSession(DEVICE, 2);
        current.put(old.deviceId(), old);
        DeliveryLoop loop = loop(m -> {
            reply(m, "ack");
            // The device reconnects before the transaction commits.
            old.close();
            current.put(reconnected.deviceId(), reconnected);
        }, dir.resolve("dlq"));
        loop.onMessage(old, new byte[] {1});
        assertEquals(List.of(), old.sent);
        assertEquals(List.of("ack"), reconnected.sent);
        assertEquals(0, loop.repliesUndeliverable.sum());
    }

    @Test
    void aCommittedReplyWithoutASessionIsCountedNotSilent() {
        FakeSession old = new FakeSession(DEVICE, 1);
        current.put(old.deviceId(), old);
        DeliveryLoop loop = loop(m -> {
            reply(m, "ack1");
            reply(m, "ack2");
            old.close();
            current.remove(old.deviceId());
        }, dir.resolve("dlq"));
        loop.onMessage(old, new byte[] {1});
        assertEquals(List.of(), old.sent);
        assertEquals(2, loop.repliesUndeliverable.sum());
        assertEquals(1, loop.delivered.sum(), "the message itself was delivered and committed");
    }
}
