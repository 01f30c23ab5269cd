package io.usmp.ra.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.UsmpSession;
import io.usmp.protocol.DeviceId;
import io.usmp.ra.UsmpResourceAdapter;
import io.usmp.ra.testing.FakeSession;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.LocalTransaction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Downlink sends and their local transaction, against fake device sessions. */
class UsmpManagedConnectionCommitTest {
    private static final String A = "a1b2c3d4e5f6";
    private static final String B = "0a0b0c0d0e0f";

    /** The adapter as the connection sees it: current sessions by device id, and the undeliverable count. */
    private static final class Adapter extends UsmpResourceAdapter {
        private static final long serialVersionUID = 1L;
        final Map<DeviceId, UsmpSession> sessions = new ConcurrentHashMap<>();
        final Map<DeviceId, Integer> undeliverable = new ConcurrentHashMap<>();

        @Override
        public Optional<UsmpSession> findSession(DeviceId device) {
            return Optional.ofNullable(sessions.get(device));
        }

        @Override
        public void downlinksUndeliverable(DeviceId device, int messages, String why) {
            super.downlinksUndeliverable(device, messages, why);
            undeliverable.merge(device, messages, Integer::sum);
        }
    }

    private final Adapter adapter = new Adapter();
    private final List<Integer> events = new CopyOnWriteArrayList<>();
    private UsmpManagedConnection mc;

    @BeforeEach
    void setUp() throws Exception {
        UsmpManagedConnectionFactory mcf = new UsmpManagedConnectionFactory();
        mcf.setResourceAdapter(adapter);
        mcf.setSendTimeoutMillis(200);
        mc = (UsmpManagedConnection) mcf.createManagedConnection(null, null);
        mc.addConnectionEventListener(new ConnectionEventListener() {
            @Override
            public void connectionClosed(ConnectionEvent e) {
                events.add(e.getId());
            }

            @Override
            public void localTransactionStarted(ConnectionEvent e) {
            }

            @Override
            public void localTransactionCommitted(ConnectionEvent e) {
            }

            @Override
            public void localTransactionRolledback(ConnectionEvent e) {
            }

            @Override
            public void connectionErrorOccurred(ConnectionEvent e) {
                events.add(e.getId());
            }
        });
    }

    private FakeSession connect(String hex, int n) {
        FakeSession s = new FakeSession(hex, n);
        adapter.sessions.put(s.deviceId(), s);
        return s;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void commitWritesNothingWhenATargetIsNoLongerConnected() throws Exception {
        FakeSession a = connect(A, 1);
        FakeSession b = connect(B, 2);
        LocalTransaction tx = mc.getLocalTransaction();
        tx.begin();
        mc.send(A, bytes("a1"));
        mc.send(B, bytes("b1"));
        mc.send(A, bytes("a2"));
        b.close();
        adapter.sessions.remove(b.deviceId());
        ResourceException e = assertThrows(ResourceException.class, tx::commit);
        assertTrue(e.getMessage().contains(B) && e.getMessage().contains("not connected"), e.getMessage());
        assertTrue(!e.getMessage().contains(A), "only the failing device is named: " + e.getMessage());
        assertEquals(List.of(), a.sent, "no message left, not even to the connected device");
        assertEquals(Map.of(a.deviceId(), 2, b.deviceId(), 1), adapter.undeliverable);
    }

    @Test
    void commitWritesNothingWhenATargetIsNotWritable() throws Exception {
        FakeSession a = connect(A, 1);
        FakeSession b = connect(B, 2);
        LocalTransaction tx = mc.getLocalTransaction();
        tx.begin();
        mc.send(A, bytes("a1"));
        mc.send(B, bytes("b1"));
        b.writable = false;
        ResourceException e = assertThrows(ResourceException.class, tx::commit);
        assertTrue(e.getMessage().contains(B) && e.getMessage().contains("not writable"), e.getMessage());
        assertEquals(List.of(), a.sent);
        assertEquals(List.of(), b.sent);
    }

    @Test
    void heldMessagesGoToTheDevicesCurrentSessionAtCommit() throws Exception {
        FakeSession old = connect(A, 1);
        LocalTransaction tx = mc.getLocalTransaction();
        tx.begin();
        mc.send(A, bytes("m1"));
        mc.send(A, bytes("m2"));
        old.close();
        FakeSession reconnected = connect(A, 2);
        tx.commit();
        assertEquals(List.of(), old.sent);
        assertEquals(List.of("m1", "m2"), reconnected.sent);
        assertEquals(Map.of(), adapter.undeliverable);
    }

    @Test
    void rollbackSendsNothing() throws Exception {
        FakeSession a = connect(A, 1);
        LocalTransaction tx = mc.getLocalTransaction();
        tx.begin();
        mc.send(A, bytes("m1"));
        tx.rollback();
        assertEquals(List.of(), a.sent);
    }

    @Test
    void aTimedOutSendClosesItsSessionAndRaisesAConnectionError() throws Exception {
        FakeSession a = connect(A, 1);
        a.stuck = true;
        ResourceException e = assertThrows(ResourceException.class, () -> mc.send(A, bytes("late")));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertEquals(1, a.closes, "the session is closed, so the queued message is discarded with it");
        assertTrue(!a.isOpen());
        assertEquals(List.of(ConnectionEvent.CONNECTION_ERROR_OCCURRED), events);
    }

    @Test
    void aLinkFailingMidFlushLosesTheRestForThatDeviceOnlyCountedAndTheOthersGo() throws Exception {
        FakeSession a = connect(A, 1);
        FakeSession b = connect(B, 2);
        LocalTransaction tx = mc.getLocalTransaction();
        tx.begin();
        mc.send(A, bytes("a1"));
        mc.send(B, bytes("b1"));
        mc.send(A, bytes("a2"));
        mc.send(B, bytes("b2"));
        mc.send(A, bytes("a3"));
        a.stuck = true; // passes the check (open, writable), then its first write never completes
        tx.commit();
        assertEquals(List.of("a1"), a.sent, "a2 and a3 are never handed to the stuck session");
        assertEquals(1, a.closes, "the timed-out session is closed");
        assertEquals(List.of("b1", "b2"), b.sent);
        assertEquals(Map.of(a.deviceId(), 3), adapter.undeliverable, "a1 (timed out), a2, a3");
        assertEquals(List.of(ConnectionEvent.CONNECTION_ERROR_OCCURRED), events);
    }
}
