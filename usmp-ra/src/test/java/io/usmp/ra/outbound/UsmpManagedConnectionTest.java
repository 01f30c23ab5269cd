package io.usmp.ra.outbound;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ClientConfig;
import io.usmp.UsmpClient;
import io.usmp.protocol.DeviceId;
import io.usmp.ra.UsmpResourceAdapter;
import io.usmp.ra.api.DeviceNotConnectedException;
import io.usmp.ra.api.UsmpConnection;
import io.usmp.ra.inbound.UsmpActivationSpec;
import io.usmp.ra.testing.IdleEndpointFactory;
import io.usmp.ra.testing.PoolBootstrapContext;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.LocalTransaction;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outbound managed connection without an application server: a resource adapter on a thread
 * pool WorkManager, one inbound activation (the core gateway on loopback) and real devices
 * ({@link UsmpClient}) connected to it, so {@code findSession} finds them.
 */
class UsmpManagedConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String DEVICE = "a1b2c3d4e5f6";
    private static final String SECOND_DEVICE = "a1b2c3d4e5f7";
    private static final byte[] PSK = new byte[32];

    @TempDir
    Path dir;

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final UsmpResourceAdapter ra = new UsmpResourceAdapter();
    private final List<UsmpClient> devices = new ArrayList<>();
    private final List<ConnectionEvent> events = Collections.synchronizedList(new ArrayList<>());
    private UsmpManagedConnectionFactory mcf;
    private int port;

    @BeforeEach
    void startAdapter() throws Exception {
        ra.start(new PoolBootstrapContext(threads));
        port = freePort();
        ra.endpointActivation(new IdleEndpointFactory("downlink-test"), spec(port));
        mcf = new UsmpManagedConnectionFactory();
        mcf.setResourceAdapter(ra);
    }

    @AfterEach
    void tearDown() {
        devices.forEach(UsmpClient::close);
        ra.stop();
        threads.shutdownNow();
    }

    private UsmpActivationSpec spec(int port) throws Exception {
        Path ks = dir.resolve("psk.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (String device : new String[] {DEVICE, SECOND_DEVICE}) {
            store.setEntry(device, new KeyStore.SecretKeyEntry(new SecretKeySpec(PSK, "AES")),
                    new KeyStore.PasswordProtection("pw".toCharArray()));
        }
        try (OutputStream out = Files.newOutputStream(ks)) {
            store.store(out, "pw".toCharArray());
        }
        UsmpActivationSpec s = new UsmpActivationSpec();
        s.setPort(port);
        s.setKeyStorePath(ks.toString());
        s.setKeyStorePassword("pw");
        s.setDeadLetterDirectory(dir.resolve("dlq").toString());
        s.setLockoutThreshold(0);
        return s;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    /** A device connected to the activation, once the adapter can find its session. */
    private UsmpClient device(String hex, int receiveQueueCapacity) throws Exception {
        UsmpClient client = UsmpClient.connect(ClientConfig.builder("127.0.0.1", port, DeviceId.fromHex(hex), PSK)
                .receiveQueueCapacity(receiveQueueCapacity).build());
        devices.add(client);
        // the device sees SESSION_OK a moment before the gateway registers the session
        await("session of " + hex, () -> ra.findSession(DeviceId.fromHex(hex)).isPresent());
        return client;
    }

    private UsmpManagedConnection managed() throws ResourceException {
        UsmpManagedConnection mc = (UsmpManagedConnection) mcf.createManagedConnection(null, null);
        mc.addConnectionEventListener(new ConnectionEventListener() {
            @Override
            public void connectionClosed(ConnectionEvent e) {
                events.add(e);
            }

            @Override
            public void localTransactionStarted(ConnectionEvent e) {
                events.add(e);
            }

            @Override
            public void localTransactionCommitted(ConnectionEvent e) {
                events.add(e);
            }

            @Override
            public void localTransactionRolledback(ConnectionEvent e) {
                events.add(e);
            }

            @Override
            public void connectionErrorOccurred(ConnectionEvent e) {
                events.add(e);
            }
        });
        return mc;
    }

    private static UsmpConnection handle(UsmpManagedConnection mc) {
        return (UsmpConnection) mc.getConnection(null, null);
    }

    private static byte[] msg(String s) {
        return s.getBytes();
    }

    private static void assertReceives(UsmpClient device, String... expected) throws Exception {
        for (String e : expected) {
            byte[] got = device.receive(WAIT);
            assertArrayEquals(msg(e), got, () -> "expected " + e + ", got " + (got == null ? "nothing" : new String(got)));
        }
    }

    // ---------------------------------------------------------------- transactions

    @Test
    void outsideATransactionASendGoesAtOnce() throws Exception {
        UsmpClient device = device(DEVICE, 64);
        UsmpConnection c = handle(managed());
        c.send(DEVICE, msg("now"));
        assertReceives(device, "now");
        assertEquals(Set.of(DEVICE), c.connectedDevices());
        assertTrue(events.isEmpty(), "no events for a plain send: " + events);
    }

    @Test
    void insideALocalTransactionSendsAreHeldAndCommitSendsThemInOrder() throws Exception {
        UsmpClient device = device(DEVICE, 64);
        UsmpManagedConnection mc = managed();
        UsmpConnection c = handle(mc);
        LocalTransaction tx = mc.getLocalTransaction();
        tx.begin();
        c.send(DEVICE, msg("tx-1"));
        c.send(DEVICE, msg("tx-2"));
        c.send(DEVICE, msg("tx-3"));
        // A marker on another connection, outside any transaction, goes out now: had the held
        // messages been sent, they would be ahead of it on the device's single ordered stream.
        handle(managed()).send(DEVICE, msg("marker"));
        assertReceives(device, "marker");

        tx.commit();
        assertReceives(device, "tx-1", "tx-2", "tx-3");
        c.send(DEVICE, msg("after"));
        assertReceives(device, "after");
        assertTrue(events.isEmpty(), "container-managed local transactions fire no events: " + events);
    }

    @Test
    void rollbackSendsNothing() throws Exception {
        UsmpClient device = device(DEVICE, 64);
        UsmpManagedConnection mc = managed();
        UsmpConnection c = handle(mc);
        LocalTransaction tx = mc.getLocalTransaction();
        tx.begin();
        c.send(DEVICE, msg("never-1"));
        c.send(DEVICE, msg("never-2"));
        tx.rollback();
        tx.commit(); // nothing left to commit
        c.send(DEVICE, msg("after-rollback"));
        assertReceives(device, "after-rollback");

        // a new transaction on the same connection starts empty
        tx.begin();
        c.send(DEVICE, msg("second-tx"));
        tx.commit();
        assertReceives(device, "second-tx");
    }

    @Test
    void aTransactionCanSpanDevicesAndKeepsEachDevicesOrder() throws Exception {
        UsmpClient first = device(DEVICE, 64);
        UsmpClient second = device(SECOND_DEVICE, 64);
        UsmpManagedConnection mc = managed();
        UsmpConnection c = handle(mc);
        LocalTransaction tx = mc.getLocalTransaction();
        tx.begin();
        c.send(DEVICE, msg("a-1"));
        c.send(SECOND_DEVICE, msg("b-1"));
        c.send(DEVICE, msg("a-2"));
        tx.commit();
        assertReceives(first, "a-1", "a-2");
        assertReceives(second, "b-1");
    }

    @Test
    void beginTwiceIsAnError() throws Exception {
        UsmpManagedConnection mc = managed();
        LocalTransaction tx = mc.getLocalTransaction();
        tx.begin();
        assertThrows(jakarta.resource.spi.IllegalStateException.class, tx::begin);
        tx.rollback();
        tx.begin(); // fine again after the end
        tx.commit();
    }

    @Test
    void cleanupDropsHeldSendsAndEndsTheTransaction() throws Exception {
        UsmpClient device = device(DEVICE, 64);
        UsmpManagedConnection mc = managed();
        UsmpConnection c = handle(mc);
        mc.getLocalTransaction().begin();
        c.send(DEVICE, msg("dropped"));
        mc.cleanup();
        assertThrows(jakarta.resource.spi.IllegalStateException.class, () -> c.send(DEVICE, msg("x")),
                "handles are dissociated by cleanup");
        handle(mc).send(DEVICE, msg("pooled-again"));
        assertReceives(device, "pooled-again");
    }

    // ---------------------------------------------------------------- devices that are not there

    @Test
    void unknownDeviceIsDeviceNotConnectedInsideAndOutsideATransaction() throws Exception {
        device(DEVICE, 64);
        UsmpManagedConnection mc = managed();
        UsmpConnection c = handle(mc);
        DeviceNotConnectedException e = assertThrows(DeviceNotConnectedException.class,
                () -> c.send("0000deadbeef", msg("x")));
        assertTrue(e.getMessage().contains("0000deadbeef"), e.getMessage());
        mc.getLocalTransaction().begin();
        assertThrows(DeviceNotConnectedException.class, () -> c.send(SECOND_DEVICE, msg("x")),
                "checked when the send is made, not at commit");
        mc.getLocalTransaction().rollback();
        assertTrue(events.isEmpty(), "an absent device is not a connection error: " + events);
    }

    @Test
    void badArgumentsAreRefused() throws Exception {
        UsmpConnection c = handle(managed());
        assertThrows(IllegalArgumentException.class, () -> c.send("not-hex", msg("x")));
        device(DEVICE, 64);
        assertThrows(IllegalArgumentException.class, () -> c.send(DEVICE, new byte[1809]));
    }

    @Test
    void deviceGoneBeforeCommitIsDeviceNotConnectedWithoutAConnectionError() throws Exception {
        UsmpClient device = device(DEVICE, 64);
        UsmpManagedConnection mc = managed();
        UsmpConnection c = handle(mc);
        LocalTransaction tx = mc.getLocalTransaction();
        tx.begin();
        c.send(DEVICE, msg("late"));
        device.close();
        await("session gone", () -> ra.findSession(DeviceId.fromHex(DEVICE)).isEmpty());
        assertThrows(DeviceNotConnectedException.class, tx::commit);
        assertTrue(events.isEmpty(), "a departed device is not a broken connection: " + events);
        assertTrue(mc.isUsable());
    }

    // ---------------------------------------------------------------- wire failure

    @Test
    void aSendThatCannotBeWrittenRaisesAConnectionErrorEvent() throws Exception {
        // A device that stops reading: its receive queue holds one message, then its socket fills up.
        device(DEVICE, 1);
        mcf.setSendTimeoutMillis(300);
        UsmpManagedConnection mc = managed();
        UsmpConnection c = handle(mc);
        byte[] big = new byte[1808];
        ResourceException failure = null;
        for (int i = 0; i < 50_000 && failure == null; i++) {
            try {
                c.send(DEVICE, big);
            } catch (ResourceException e) {
                failure = e;
            }
        }
        assertTrue(failure != null, "sends kept succeeding into a device that reads nothing");
        assertFalse(failure instanceof DeviceNotConnectedException, "the device is still connected: " + failure);
        assertEquals(1, events.size(), "events " + events);
        ConnectionEvent event = events.get(0);
        assertEquals(ConnectionEvent.CONNECTION_ERROR_OCCURRED, event.getId());
        assertSame(failure, event.getException());
        assertSame(mc, event.getSource());
    }

    // ---------------------------------------------------------------- handles and life cycle

    @Test
    void closingAHandleFiresConnectionClosedWithTheHandle() throws Exception {
        UsmpManagedConnection mc = managed();
        UsmpConnection c = handle(mc);
        c.close();
        assertEquals(1, events.size());
        assertEquals(ConnectionEvent.CONNECTION_CLOSED, events.get(0).getId());
        assertSame(c, events.get(0).getConnectionHandle());
        assertThrows(jakarta.resource.spi.IllegalStateException.class, () -> c.send(DEVICE, msg("x")));
        c.close();
        assertEquals(1, events.size(), "closing twice fires once");
    }

    @Test
    void aDestroyedConnectionIsNotMatchedAndRefusesSends() throws Exception {
        device(DEVICE, 64);
        UsmpManagedConnection mc = managed();
        UsmpManagedConnection other = managed();
        assertSame(mc, mcf.matchManagedConnections(Set.of(mc), null, null));
        mc.destroy();
        assertNull(mcf.matchManagedConnections(Set.of(mc), null, null));
        assertSame(other, mcf.matchManagedConnections(Set.of(mc, other), null, null));
        assertThrows(jakarta.resource.spi.IllegalStateException.class, () -> mc.send(DEVICE, msg("x")));
        assertInstanceOf(UsmpConnectionImpl.class, handle(other));
    }
}
