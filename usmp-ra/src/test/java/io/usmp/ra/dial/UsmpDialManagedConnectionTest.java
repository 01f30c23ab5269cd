package io.usmp.ra.dial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.ra.UsmpResourceAdapter;
import io.usmp.ra.api.UsmpDialConnection;
import io.usmp.ra.api.UsmpDialException;
import io.usmp.ra.api.UsmpDialIdentitiesExhaustedException;
import io.usmp.ra.api.UsmpDialTimeoutException;
import io.usmp.ra.testing.PoolBootstrapContext;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.LocalTransaction;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dial-out managed connection against the core's gateway in the same process, on the
 * adapter's I/O threads (a thread pool WorkManager).
 */
class UsmpDialManagedConnectionTest {
    static final String ME = "d1a10000c0de";
    /** Ten identities, {@link #ME} first; the keystore and the peer know them all. */
    static final List<String> IDS = ids();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final UsmpResourceAdapter ra = new UsmpResourceAdapter();
    private final List<ConnectionEvent> events = Collections.synchronizedList(new ArrayList<>());
    private DialPeer peer;
    private UsmpDialManagedConnectionFactory mcf;

    @BeforeEach
    void start() throws Exception {
        ra.start(new PoolBootstrapContext(threads));
        peer = new DialPeer(psks());
        mcf = factory(dir, ra, peer.port());
    }

    private static List<String> ids() {
        List<String> ids = new ArrayList<>(List.of(ME));
        for (int i = 1; i < 10; i++) {
            ids.add(String.format("d1a1000010%02x", i));
        }
        return List.copyOf(ids);
    }

    /** Each identity's own PSK. */
    static byte[] psk(String id) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(("dial-out-test-psk-" + id).getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<DeviceId, byte[]> psks() {
        Map<DeviceId, byte[]> m = new HashMap<>();
        IDS.forEach(id -> m.put(DeviceId.fromHex(id), psk(id)));
        return m;
    }

    @AfterEach
    void stop() {
        peer.close();
        ra.stop();
        threads.shutdownNow();
    }

    /** A factory dialing {@code port} as {@link #ME}, the PSKs of {@link #IDS} in a keystore whose password is in a file. */
    static UsmpDialManagedConnectionFactory factory(Path dir, UsmpResourceAdapter ra, int port) throws Exception {
        Path ks = dir.resolve("dial.p12");
        Path pw = dir.resolve("dial.password");
        if (!Files.exists(ks)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (String id : IDS) {
                store.setEntry(id, new KeyStore.SecretKeyEntry(new SecretKeySpec(psk(id), "AES")),
                        new KeyStore.PasswordProtection("secret-pw".toCharArray()));
            }
            try (OutputStream out = Files.newOutputStream(ks)) {
                store.store(out, "secret-pw".toCharArray());
            }
            Files.writeString(pw, "secret-pw\n");
        }
        UsmpDialManagedConnectionFactory f = new UsmpDialManagedConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(port);
        f.setDeviceId(ME);
        f.setKeyStorePath(ks.toString());
        f.setKeyStorePasswordFile(pw.toString());
        f.setResourceAdapter(ra);
        return f;
    }

    private UsmpDialManagedConnection managed() throws ResourceException {
        return managed(mcf);
    }

    private UsmpDialManagedConnection managed(UsmpDialManagedConnectionFactory from) throws ResourceException {
        UsmpDialManagedConnection mc = (UsmpDialManagedConnection) from.createManagedConnection(null, null);
        mc.addConnectionEventListener(new ConnectionEventListener() {
            @Override
            public void connectionClosed(ConnectionEvent e) {
                events.add(e);
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
                events.add(e);
            }
        });
        return mc;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void sendReceiveAndRequest() throws Exception {
        UsmpDialManagedConnection mc = managed();
        UsmpDialConnection c = (UsmpDialConnection) mc.getConnection(null, null);
        c.send(b("hello"));
        await("hello at the peer", () -> peer.received.contains("hello"));
        assertArrayEquals(b("pong-1"), c.request(b("echo:pong-1"), WAIT));
        c.send(b("echo:later"));
        assertArrayEquals(b("later"), c.receive(WAIT));
        assertNull(c.receive(Duration.ofMillis(50)), "nothing more: null, not a failure");
        assertThrows(IllegalArgumentException.class, () -> c.send(new byte[1809]));
        assertArrayEquals(b("still"), c.request(b("echo:still"), WAIT), "an oversized message does not end the session");
        assertEquals(1, peer.handshakes());
        assertEquals(1, mcf.statistics().getHandshakes());
        assertEquals(1, mcf.statistics().getInUse());
        c.close();
        assertEquals(ConnectionEvent.CONNECTION_CLOSED, events.get(0).getId());
        assertEquals(0, mcf.statistics().getInUse());
        assertThrows(jakarta.resource.spi.IllegalStateException.class, () -> c.send(b("x")), "closed handle");
        mc.destroy();
    }

    @Test
    void cleanupDropsUnreadMessagesAndKeepsTheSession() throws Exception {
        UsmpDialManagedConnection mc = managed();
        UsmpDialConnection c = (UsmpDialConnection) mc.getConnection(null, null);
        c.send(b("echo:unread"));
        await("the reply to be sent", () -> peer.received.contains("echo:unread"));
        Thread.sleep(100); // the reply reaches our receive queue
        c.close();
        mc.cleanup();
        assertTrue(mc.isValid(WAIT));
        UsmpDialConnection next = (UsmpDialConnection) mc.getConnection(null, null);
        assertNull(next.receive(Duration.ofMillis(100)), "the previous user's unread message was dropped");
        assertArrayEquals(b("fresh"), next.request(b("echo:fresh"), WAIT));
        assertEquals(1, peer.handshakes(), "same session");
        assertTrue(peer.closes.isEmpty());
        mc.destroy();
    }

    @Test
    void destroySendsBye() throws Exception {
        UsmpDialManagedConnection mc = managed();
        mc.getConnection(null, null);
        mc.destroy();
        await("the peer to see the session end", () -> !peer.closes.isEmpty());
        assertEquals(CloseReason.PEER_BYE, peer.closes.get(0), "we sent BYE");
        assertEquals(1L, mcf.statistics().getEvictions().get("pool"));
        assertEquals(0, mcf.statistics().getSessionsOpen());
    }

    @Test
    void validationFindsASessionWhosePeerWentAwayWhileIdle() throws Exception {
        UsmpDialManagedConnection mc = managed();
        mc.cleanup(); // idle in the pool
        assertEquals(Set.of(), mcf.getInvalidConnections(Set.of(mc)), "answers the validation PING");
        assertEquals(List.of(), peer.received, "a PING is no message");
        await("the session at the peer", () -> peer.server.sessions().size() == 1);
        peer.killSessions();
        await("the session found dead", () -> mcf.getInvalidConnections(Set.of(mc)).contains(mc));
        mc.destroy();
        assertEquals(1L, mcf.statistics().getEvictions().get("invalid:peer_bye"));
        assertTrue(events.isEmpty(), "found by validation, not in use: no error event");
    }

    @Test
    void validationEvictsASessionWhosePeerSilentlyStoppedAnswering() throws Exception {
        mcf.setValidationTimeoutMillis(300);
        mcf.setDeviceId(null);
        mcf.setDeviceIds(IDS.get(0) + "," + IDS.get(1));
        UsmpDialManagedConnection mc = managed();
        UsmpDialConnection c = (UsmpDialConnection) mc.getConnection(null, null);
        c.send(b("hold")); // the peer's listener blocks on it ...
        for (int i = 0; i < 2 * DialPeer.QUEUE + 2; i++) {
            // ... and the gateway stops reading once these wait for it; 300 bytes each, so the
            // pause comes before the gateway has decoded the validation PING behind them
            c.send(b(("behind-" + i + " ").repeat(40).substring(0, 300)));
        }
        c.close();
        mc.cleanup();
        assertEquals(Set.of(mc), mcf.getInvalidConnections(Set.of(mc)), "no PONG within 300 ms");
        assertTrue(peer.closes.isEmpty(), "no FIN, no RST, no BYE: the session looked alive");
        mc.destroy();
        assertEquals(1L, mcf.statistics().getEvictions().get("invalid:ping_timeout"));
        assertEquals(List.of(ConnectionEvent.CONNECTION_CLOSED), events.stream().map(ConnectionEvent::getId).toList(),
                "the handle's close only: found by validation, not in use, so no error event");
        UsmpDialManagedConnection fresh = managed();
        assertEquals(DeviceId.fromHex(IDS.get(1)), fresh.identity(),
                "the identity free the longest: not queued at the peer behind the silent session's backlog");
        UsmpDialConnection next = (UsmpDialConnection) fresh.getConnection(null, null);
        assertArrayEquals(b("alive"), next.request(b("echo:alive"), WAIT));
        UsmpDialManagedConnection third = managed();
        assertEquals(DeviceId.fromHex(ME), third.identity(), "the evicted session gave its identity back");
        fresh.destroy();
        third.destroy();
    }

    @Test
    void aSecondSessionWithTheSameIdentityWouldReplaceTheFirstSoOneIdentityHoldsOneSession() throws Exception {
        // Why identities are leased: the core gateway keeps one session per device id.
        UsmpDialManagedConnection first = managed();
        UsmpDialManagedConnection other = managed(factory(dir, ra, peer.port())); // an equal factory: its own leases
        await("the first session replaced at the peer", () -> peer.closes.size() == 1);
        assertFalse(first.isValid(WAIT));
        assertTrue(other.isValid(WAIT));
        first.destroy();
        other.destroy();

        UsmpDialManagedConnection only = managed();
        // The peer registers a session on its own event loop, possibly after our handshake returned.
        await("the peer to register the session", () -> peer.server.sessions().size() == 1);
        UsmpDialIdentitiesExhaustedException e = assertThrows(UsmpDialIdentitiesExhaustedException.class, this::managed);
        assertEquals("identities_exhausted", e.getErrorCode());
        assertTrue(e.getMessage().contains("all 1 identities"), e.getMessage());
        assertEquals(1, peer.server.sessions().size(), "the refused one never dialed");
        assertEquals(1, only.getMetaData().getMaxConnections());
        only.destroy();
        managed().destroy(); // the identity is free again
    }

    @Test
    void tenIdentitiesHoldTenSessionsAtOnceOneHandleEach() throws Exception {
        mcf.setDeviceId(null);
        mcf.setDeviceIds(String.join(", ", IDS));
        MiniPool pool = new MiniPool();
        UsmpDialConnectionFactoryImpl cf = (UsmpDialConnectionFactoryImpl) mcf.createConnectionFactory(pool);
        ExecutorService ten = Executors.newFixedThreadPool(10);
        try {
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String tag = "t" + i;
                replies.add(ten.submit(() -> {
                    try (UsmpDialConnection c = cf.getConnection()) {
                        // answered only once all ten sessions wait for their answer at the same time
                        // (the ten handshakes come one after another first: a generous bound on a loaded machine)
                        return new String(c.request(b("gather:10:" + tag), Duration.ofSeconds(60)), StandardCharsets.UTF_8);
                    }
                }));
            }
            for (int i = 0; i < 10; i++) {
                assertEquals("t" + i, replies.get(i).get(), "each handle gets its own session's reply");
            }
        } finally {
            ten.shutdownNow();
        }
        assertEquals(10, peer.peakSessions(), "ten sessions open at the peer at once");
        assertEquals(10, peer.handshakes());
        assertEquals(10, mcf.statistics().getPeakInUse());
        assertEquals(IDS, mcf.statistics().getDeviceIds());
        assertEquals(10, pool.idle());
        assertThrows(UsmpDialIdentitiesExhaustedException.class, () -> mcf.createManagedConnection(null, null),
                "an eleventh session: every identity has one");
        for (int i = 0; i < 20; i++) {
            try (UsmpDialConnection c = cf.getConnection()) {
                c.send(b("reuse-" + i));
            }
        }
        assertEquals(10, peer.handshakes(), "the pool reuses the ten sessions");
        pool.shutdown();
    }

    @Test
    void transactionHoldsSendsUntilCommitAndRollbackDiscardsThem() throws Exception {
        UsmpDialManagedConnection mc = managed();
        LocalTransaction tx = mc.getLocalTransaction();
        UsmpDialConnection c = (UsmpDialConnection) mc.getConnection(null, null);
        tx.begin();
        c.send(b("t1"));
        c.send(b("t2"));
        c.send(b("t3"));
        assertThrows(jakarta.resource.spi.IllegalStateException.class, () -> c.request(b("echo:x"), WAIT),
                "request would overtake held sends");
        Thread.sleep(100);
        assertTrue(peer.received.isEmpty(), "nothing leaves before commit");
        tx.commit();
        tx.begin();
        c.send(b("rolled-back"));
        tx.rollback();
        c.send(b("after"));
        await("after", () -> peer.received.contains("after"));
        assertEquals(List.of("t1", "t2", "t3", "after"), peer.received);
        tx.begin();
        assertArrayEquals(b("q"), c.request(b("echo:q"), WAIT), "a request with nothing held goes out at once");
        tx.commit();
        assertEquals(3, mcf.statistics().getMessagesCommitted());
        assertEquals(1, mcf.statistics().getMessagesRolledBack());
        mc.destroy();
    }

    @Test
    void commitOnADeadSessionSendsNothingAndRaisesTheErrorEvent() throws Exception {
        UsmpDialManagedConnection mc = managed();
        LocalTransaction tx = mc.getLocalTransaction();
        UsmpDialConnection c = (UsmpDialConnection) mc.getConnection(null, null);
        tx.begin();
        c.send(b("lost-1"));
        await("the session at the peer", () -> peer.server.sessions().size() == 1);
        peer.killSessions();
        await("the session to end", () -> !mc.isValid(WAIT));
        UsmpDialException e = assertThrows(UsmpDialException.class, tx::commit);
        assertEquals("peer_bye", e.getErrorCode());
        assertEquals(ConnectionEvent.CONNECTION_ERROR_OCCURRED, events.get(events.size() - 1).getId());
        mc.destroy();
    }

    @Test
    void peerByeRaisesATypedExceptionAndTheErrorEvent() throws Exception {
        UsmpDialManagedConnection mc = managed();
        UsmpDialConnection c = (UsmpDialConnection) mc.getConnection(null, null);
        c.send(b("one"));
        await("the session at the peer", () -> peer.server.sessions().size() == 1);
        peer.killSessions();
        await("the peer's BYE to arrive", () -> !mc.isValid(WAIT));
        UsmpDialException e = assertThrows(UsmpDialException.class, () -> c.send(b("two")));
        assertEquals("peer_bye", e.getErrorCode());
        assertEquals(1, events.size());
        assertEquals(ConnectionEvent.CONNECTION_ERROR_OCCURRED, events.get(0).getId());
        assertSame(e, events.get(0).getException());
        assertThrows(UsmpDialException.class, () -> c.receive(Duration.ZERO), "failed stays failed");
        assertEquals(1, events.size(), "one error event");
        mc.destroy();
        assertEquals(1L, mcf.statistics().getEvictions().get("error:peer_bye"));
    }

    @Test
    void requestWithoutReplyInTimeDiscardsTheSession() throws Exception {
        UsmpDialManagedConnection mc = managed();
        UsmpDialConnection c = (UsmpDialConnection) mc.getConnection(null, null);
        UsmpDialTimeoutException e = assertThrows(UsmpDialTimeoutException.class,
                () -> c.request(b("no reply"), Duration.ofMillis(100)));
        assertEquals("timeout", e.getErrorCode());
        assertEquals(ConnectionEvent.CONNECTION_ERROR_OCCURRED, events.get(0).getId());
        assertFalse(mc.isValid(WAIT));
        mc.destroy();
    }

    @Test
    void oneHandleAtATime() throws Exception {
        mcf.setDeviceId(null);
        mcf.setDeviceIds(IDS.get(0) + " " + IDS.get(1)); // two sessions
        UsmpDialManagedConnection mc = managed();
        UsmpDialConnection first = (UsmpDialConnection) mc.getConnection(null, null);
        UsmpDialConnection second = (UsmpDialConnection) mc.getConnection(null, null);
        assertThrows(jakarta.resource.spi.IllegalStateException.class, () -> first.send(b("x")), "superseded");
        second.send(b("y"));
        assertEquals(1, mcf.statistics().getInUse());
        UsmpDialManagedConnection other = managed();
        other.associateConnection(second);
        other.getClass(); // second now belongs to other
        second.send(b("z"));
        await("y and z", () -> peer.received.size() == 2);
        assertEquals(List.of("y", "z"), peer.received);
        mc.destroy();
        other.destroy();
    }

    @Test
    void poolReuseCostsOneHandshakeAndADeadSessionIsReplaced() throws Exception {
        MiniPool pool = new MiniPool();
        UsmpDialConnectionFactoryImpl cf = (UsmpDialConnectionFactoryImpl) mcf.createConnectionFactory(pool);
        for (int i = 0; i < 20; i++) {
            try (UsmpDialConnection c = cf.getConnection()) {
                c.send(b("cycle-" + i));
            }
        }
        assertEquals(1, peer.handshakes(), "20 cycles, one handshake");
        await("the session at the peer", () -> peer.server.sessions().size() == 1);
        peer.killSessions();
        await("the session to end", () -> mcf.getInvalidConnections(Set.of()).isEmpty() && peer.closes.size() == 1);
        Thread.sleep(100);
        UsmpDialConnection c = cf.getConnection();
        assertThrows(UsmpDialException.class, () -> c.send(b("into the void")), "fail fast: no repair in place");
        assertEquals(1, pool.errors.size());
        try (UsmpDialConnection fresh = cf.getConnection()) {
            assertArrayEquals(b("again"), fresh.request(b("echo:again"), WAIT));
        }
        assertEquals(2, peer.handshakes(), "the next use handshakes again");
        pool.shutdown();
    }

    @Test
    void configurationIsCheckedAndNoSecretIsPrinted() throws Exception {
        UsmpDialManagedConnectionFactory f = new UsmpDialManagedConnectionFactory();
        f.setKeyStorePassword("hunter2");
        f.setKeyStorePasswordFile("/x");
        InvalidPropertyException e = assertThrows(InvalidPropertyException.class, f::validate);
        assertTrue(e.getMessage().contains("host") && e.getMessage().contains("deviceId")
                && e.getMessage().contains("exactly one of"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"));
        assertEquals("********", f.getKeyStorePassword());
        assertFalse(f.toString().contains("hunter2"));

        UsmpDialManagedConnectionFactory same = factory(dir, ra, peer.port());
        assertEquals(mcf, same);
        assertEquals(mcf.hashCode(), same.hashCode());
        UsmpDialManagedConnectionFactory otherPort = factory(dir, ra, peer.port() + 1);
        assertNotEquals(mcf, otherPort);
        same.setDeviceId("d1a10000c0df");
        assertNotEquals(mcf, same, "another identity");
        UsmpDialManagedConnection mc = managed();
        assertSame(mc, mcf.matchManagedConnections(Set.of(mc), null, null));
        assertNull(otherPort.matchManagedConnections(Set.of(mc), null, null), "another target does not match");
        assertNull(same.matchManagedConnections(Set.of(mc), null, null), "another identity does not match");

        UsmpDialManagedConnectionFactory list = factory(dir, ra, peer.port());
        list.setDeviceIds(IDS.get(1) + "," + IDS.get(1));
        e = assertThrows(InvalidPropertyException.class, list::validate);
        assertTrue(e.getMessage().contains("exactly one of deviceId"), e.getMessage());
        list.setDeviceId(null);
        e = assertThrows(InvalidPropertyException.class, list::validate);
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
        list.setDeviceIds(IDS.get(1) + " nothex");
        e = assertThrows(InvalidPropertyException.class, list::validate);
        assertTrue(e.getMessage().contains("12 hex digits, got nothex"), e.getMessage());
        assertFalse(mc.toString().contains("secret"));
        mc.destroy();
    }

    @Test
    void wrongKeyOrNoServerIsATypedFailure() throws Exception {
        peer.close();
        UsmpDialException e = assertThrows(UsmpDialException.class, () -> mcf.createManagedConnection(null, null));
        assertEquals("connect", e.getErrorCode());
        assertEquals(1, mcf.statistics().getHandshakeFailures());
        e = assertThrows(UsmpDialException.class, () -> mcf.createManagedConnection(null, null));
        assertEquals("connect", e.getErrorCode(), "a failed dial gave its identity back: not identities_exhausted");
    }
}
