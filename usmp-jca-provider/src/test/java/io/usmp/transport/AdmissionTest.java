package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ServerConfig;
import io.usmp.protocol.PskResolver;
import io.usmp.Refusal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SPEC §6 admission decisions with explicit times (milliseconds): nothing here sleeps. The loopback
 * tests in {@link TcpLimitsTest} only check that the gateway consults these decisions.
 */
class AdmissionTest {
    /** What admit returns for an admitted connection. */
    private static final Refusal ADMITTED = null;
    private static final long T0 = 7_000_000L;
    private static final InetAddress A = ip(1);
    private static final InetAddress B = ip(2);
    private static final InetAddress C = ip(3);

    private static InetAddress ip(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ServerConfig.Builder config() {
        return ServerConfig.builder(PskResolver.shared(new byte[32]));
    }

    private static Admission lockout(int threshold, int maxSeconds, int tableSize) {
        return new Admission(config().lockout(threshold, maxSeconds, tableSize).build());
    }

    /** Admitted at {@code now}; the connection is released again so caps never interfere. */
    private static boolean admittedAt(Admission a, InetAddress ip, long now) {
        Refusal v = a.admit(ip, now);
        if (v == ADMITTED) {
            a.release(ip);
            return true;
        }
        assertEquals(Refusal.LOCKED_OUT, v, "only a lockout can refuse here");
        return false;
    }

    /** Refused at lockedUntil − 1, admitted at lockedUntil. */
    private static void assertLockedUntil(Admission a, InetAddress ip, long from, long lockedUntil) {
        assertFalse(admittedAt(a, ip, from), "locked right after the failure");
        assertFalse(admittedAt(a, ip, lockedUntil - 1), "still locked 1 ms before the end");
        assertTrue(admittedAt(a, ip, lockedUntil), "admitted exactly when the lockout ends");
        assertTrue(admittedAt(a, ip, lockedUntil + 1));
    }

    // ---------------------------------------------------------------- connection caps

    @Test
    void totalAndPerIpCapsAreReleasedWithTheirConnections() {
        Admission a = new Admission(config().maxConnections(3, 2).build());
        assertEquals(ADMITTED, a.admit(A, T0));
        assertEquals(ADMITTED, a.admit(A, T0));
        assertEquals(Refusal.OVER_PER_IP, a.admit(A, T0));
        assertEquals(ADMITTED, a.admit(B, T0));
        assertEquals(Refusal.OVER_TOTAL, a.admit(C, T0));
        assertEquals(Refusal.OVER_TOTAL, a.admit(A, T0), "total is checked first");

        // refusals took nothing: one release makes room for exactly one more
        a.release(B);
        assertEquals(Refusal.OVER_PER_IP, a.admit(A, T0), "A still holds its two");
        assertEquals(ADMITTED, a.admit(C, T0));
        assertEquals(Refusal.OVER_TOTAL, a.admit(B, T0));

        a.release(A);
        assertEquals(ADMITTED, a.admit(A, T0), "A's per-IP count went down with the release");
        assertEquals(Refusal.OVER_TOTAL, a.admit(B, T0));
        a.release(A);
        a.release(A);
        a.release(C);
        for (InetAddress ip : new InetAddress[] {A, A, B}) {
            assertEquals(ADMITTED, a.admit(ip, T0));
        }
        assertEquals(Refusal.OVER_TOTAL, a.admit(C, T0));
    }

    @Test
    void perIpCapIsPerAddress() {
        Admission a = new Admission(config().maxConnections(100, 1).build());
        assertEquals(ADMITTED, a.admit(A, T0));
        assertEquals(Refusal.OVER_PER_IP, a.admit(A, T0));
        assertEquals(ADMITTED, a.admit(B, T0));
        assertEquals(ADMITTED, a.admit(C, T0));
        a.release(A);
        assertEquals(ADMITTED, a.admit(A, T0));
        assertEquals(Refusal.OVER_PER_IP, a.admit(B, T0));
    }

    // ---------------------------------------------------------------- lockout

    @Test
    void lockoutStartsAtTheThresholdthFailureForOneSecondWithExactEdges() {
        Admission a = lockout(3, 60, 16);
        a.authenticationFailed(A, T0);
        a.authenticationFailed(A, T0 + 10);
        assertTrue(admittedAt(a, A, T0 + 11), "two failures are below the threshold of 3");
        assertEquals(0, a.lockouts());

        a.authenticationFailed(A, T0 + 100);
        assertEquals(1, a.lockouts());
        assertLockedUntil(a, A, T0 + 100, T0 + 100 + 1_000);
        assertTrue(admittedAt(a, B, T0 + 100), "other addresses are not affected");
    }

    @Test
    void lockoutGrowsAsPowersOfTwoUpToTheMaximum() {
        Admission a = lockout(5, 60, 16);
        long now = T0;
        for (int i = 0; i < 4; i++) {
            a.authenticationFailed(A, now++);
        }
        assertTrue(admittedAt(a, A, now));
        long[] seconds = {1, 2, 4, 8, 16, 32, 60, 60, 60};
        for (int i = 0; i < seconds.length; i++) {
            a.authenticationFailed(A, now);
            long until = now + seconds[i] * 1_000;
            assertLockedUntil(a, A, now, until);
            assertEquals(i + 1, a.lockouts(), "one lockout per failure at or past the threshold");
            now = until + 5;
        }
    }

    @Test
    void lockoutNeverOverflowsPastTheMaximum() {
        Admission a = lockout(1, 86_400, 16);
        long now = T0;
        for (int failure = 1; failure <= 70; failure++) {
            a.authenticationFailed(A, now);
            long expected = Math.min(86_400L, 1L << Math.min(failure - 1, 40)) * 1_000;
            assertFalse(admittedAt(a, A, now + expected - 1), "failure " + failure);
            assertTrue(admittedAt(a, A, now + expected), "failure " + failure);
            now += expected;
        }
        assertEquals(70, a.lockouts());
    }

    @Test
    void successResetsTheCount() {
        Admission a = lockout(3, 60, 16);
        a.authenticationFailed(A, T0);
        a.authenticationFailed(A, T0 + 1);
        a.handshakeSucceeded(A);
        a.authenticationFailed(A, T0 + 2);
        a.authenticationFailed(A, T0 + 3);
        assertTrue(admittedAt(a, A, T0 + 4), "2 + 2 failures with a success between: no lockout");
        assertEquals(0, a.lockouts());
        a.authenticationFailed(A, T0 + 5);
        assertLockedUntil(a, A, T0 + 5, T0 + 5 + 1_000);

        // after a lockout, a success starts over at the threshold's 1 s
        a.handshakeSucceeded(A);
        a.authenticationFailed(A, T0 + 10_000);
        a.authenticationFailed(A, T0 + 10_001);
        assertTrue(admittedAt(a, A, T0 + 10_002));
        a.authenticationFailed(A, T0 + 10_002);
        assertLockedUntil(a, A, T0 + 10_002, T0 + 11_002);
    }

    @Test
    void aConnectionRefusedDuringALockoutIsNotAFailure() {
        Admission a = lockout(2, 60, 16);
        a.authenticationFailed(A, T0);
        a.authenticationFailed(A, T0);
        for (long t = T0; t < T0 + 1_000; t += 100) {
            assertEquals(Refusal.LOCKED_OUT, a.admit(A, t), "a device retrying every 100 ms");
        }
        assertEquals(1, a.lockouts(), "refusals are not lockouts");
        assertEquals(ADMITTED, a.admit(A, T0 + 1_000));
        a.release(A);
        // the next real failure is the 3rd, not the 13th: 2 s
        a.authenticationFailed(A, T0 + 2_000);
        assertLockedUntil(a, A, T0 + 2_000, T0 + 4_000);
    }

    @Test
    void lockedOutComesBeforeTheCaps() {
        Admission a = new Admission(config().maxConnections(1, 1).lockout(1, 60, 16).build());
        assertEquals(ADMITTED, a.admit(B, T0));
        a.authenticationFailed(A, T0);
        assertEquals(Refusal.LOCKED_OUT, a.admit(A, T0 + 1));
        assertEquals(Refusal.OVER_TOTAL, a.admit(A, T0 + 1_000), "lockout over, caps apply");
    }

    @Test
    void thresholdZeroDisablesTheLockout() {
        Admission a = lockout(0, 60, 16);
        for (int i = 0; i < 100; i++) {
            a.authenticationFailed(A, T0 + i);
        }
        assertTrue(admittedAt(a, A, T0 + 100));
        assertEquals(0, a.lockouts());
    }

    @Test
    void boundedTableEvictsTheLeastRecentlyTouchedAddress() {
        Admission a = lockout(2, 60, 2);
        a.authenticationFailed(A, T0);
        a.authenticationFailed(B, T0);
        assertTrue(admittedAt(a, A, T0 + 1), "touches A: B is now the least recently touched");
        a.authenticationFailed(C, T0 + 2); // a third entry: B is evicted

        a.authenticationFailed(A, T0 + 3);
        assertFalse(admittedAt(a, A, T0 + 4), "A kept its count: its second failure locks it");
        a.authenticationFailed(B, T0 + 3);
        assertTrue(admittedAt(a, B, T0 + 4), "B's count was forgotten: this is its first failure again");
        assertEquals(1, a.lockouts());
    }

    @Test
    void evictionCanEndALockoutEarlyButTheTableStaysBounded() {
        Admission a = lockout(1, 60, 2);
        a.authenticationFailed(A, T0);
        a.authenticationFailed(B, T0);
        assertFalse(admittedAt(a, A, T0 + 1));
        assertFalse(admittedAt(a, B, T0 + 1)); // B touched last: A is the eldest
        a.authenticationFailed(C, T0 + 1);
        assertTrue(admittedAt(a, A, T0 + 2), "A's entry was evicted");
        assertFalse(admittedAt(a, B, T0 + 2));
        assertFalse(admittedAt(a, C, T0 + 2));
    }

    // ---------------------------------------------------------------- handshake slots

    private static Runnable record(List<String> ran, String name) {
        return () -> ran.add(name);
    }

    @Test
    void slotsAreHandedToWaitersInArrivalOrder() {
        Admission a = new Admission(config().maxConcurrentHandshakes(2).build());
        List<String> ran = new ArrayList<>();
        assertTrue(a.acquireSlot(A, record(ran, "1")));
        assertTrue(a.acquireSlot(A, record(ran, "2")));
        assertFalse(a.acquireSlot(A, record(ran, "3")));
        assertFalse(a.acquireSlot(A, record(ran, "4")));
        assertFalse(a.acquireSlot(A, record(ran, "5")));
        assertEquals(List.of(), ran, "a granted slot is returned, not run");

        a.releaseSlot(A);
        assertEquals(List.of("3"), ran, "handed over, not freed");
        a.releaseSlot(A);
        a.releaseSlot(A);
        assertEquals(List.of("3", "4", "5"), ran);
        assertFalse(a.acquireSlot(A, record(ran, "6")), "all slots still taken by the handed-over connections");
        a.releaseSlot(A);
        assertEquals(List.of("3", "4", "5", "6"), ran);

        // nobody waits now: a release frees a slot, the other one stays held
        a.releaseSlot(A);
        assertTrue(a.acquireSlot(A, record(ran, "7")));
        assertFalse(a.acquireSlot(A, record(ran, "8")), "the other slot is still held");
        a.releaseSlot(A);
        a.releaseSlot(A);
        assertEquals(List.of("3", "4", "5", "6", "8"), ran);
        assertTrue(a.acquireSlot(A, record(ran, "9")), "one slot was freed");
        assertFalse(a.acquireSlot(A, record(ran, "10")), "and only one");
    }

    @Test
    void aCancelledWaiterIsSkipped() {
        Admission a = new Admission(config().maxConcurrentHandshakes(1).build());
        List<String> ran = new ArrayList<>();
        assertTrue(a.acquireSlot(A, record(ran, "holder")));
        Runnable gone = record(ran, "gone");
        assertFalse(a.acquireSlot(A, gone));
        assertFalse(a.acquireSlot(A, record(ran, "next")));
        a.cancelWaiting(gone);
        a.cancelWaiting(gone); // idempotent
        a.releaseSlot(A);
        assertEquals(List.of("next"), ran);
        a.releaseSlot(A);
        assertTrue(a.acquireSlot(A, record(ran, "free")), "the cancelled waiter did not keep a slot");
        assertEquals(List.of("next"), ran);
    }

    @Test
    void aResumedWaiterMayReleaseItsSlotAtOnce() {
        // releaseSlot runs the waiter outside the lock: a connection already gone gives the slot back
        Admission a = new Admission(config().maxConcurrentHandshakes(1).build());
        List<String> ran = new ArrayList<>();
        assertTrue(a.acquireSlot(A, record(ran, "holder")));
        assertFalse(a.acquireSlot(A, () -> {
            ran.add("closed-before-resume");
            a.releaseSlot(A);
        }));
        assertFalse(a.acquireSlot(A, record(ran, "third")));
        a.releaseSlot(A);
        assertEquals(List.of("closed-before-resume", "third"), ran);
        assertFalse(a.acquireSlot(A, record(ran, "fourth")), "'third' holds the only slot");
    }

    private static InetAddress v6(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oneSourceHoldsAtMostItsShareOfTheHandshakeSlots() {
        Admission a = new Admission(config().maxConcurrentHandshakes(10).maxHandshakesPerIp(3).build());
        List<String> ran = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertTrue(a.acquireSlot(A, record(ran, "a" + i)));
        }
        assertFalse(a.acquireSlot(A, record(ran, "a3")), "a fourth idle socket from A waits although 7 slots are free");
        assertTrue(a.acquireSlot(B, record(ran, "b0")), "B still gets a slot at once");
        a.releaseSlot(B);
        assertEquals(List.of(), ran, "B's slot is not A's to take: A is at its share");
        a.releaseSlot(A);
        assertEquals(List.of("a3"), ran, "A's own release lets its waiter in");
    }

    @Test
    void aFreedSlotGoesToTheFirstWaiterUnderItsShare() {
        Admission a = new Admission(config().maxConcurrentHandshakes(2).maxHandshakesPerIp(1).build());
        List<String> ran = new ArrayList<>();
        assertTrue(a.acquireSlot(A, record(ran, "a0")));
        assertTrue(a.acquireSlot(B, record(ran, "b0")));
        assertFalse(a.acquireSlot(A, record(ran, "a1")));
        assertFalse(a.acquireSlot(C, record(ran, "c0")));
        a.releaseSlot(B);
        assertEquals(List.of("c0"), ran, "a1 arrived first but A is at its share; C is not");
        a.releaseSlot(A);
        assertEquals(List.of("c0", "a1"), ran);
    }

    @Test
    void ipv6SourcesAreGroupedByTheirSlash64() {
        Admission a = new Admission(config().maxConnections(100, 2).lockout(1, 60, 16).build());
        InetAddress one = v6("2001:db8:1:2::1");
        InetAddress other = v6("2001:db8:1:2:ffff:ffff:ffff:fffe");
        InetAddress neighbour = v6("2001:db8:1:3::1");
        assertEquals(ADMITTED, a.admit(one, T0));
        assertEquals(ADMITTED, a.admit(other, T0));
        assertEquals(Refusal.OVER_PER_IP, a.admit(v6("2001:db8:1:2::abcd"), T0), "a third address of the same /64");
        assertEquals(ADMITTED, a.admit(neighbour, T0), "the next /64 is another source");
        a.authenticationFailed(other, T0);
        assertEquals(Refusal.LOCKED_OUT, a.admit(v6("2001:db8:1:2::99"), T0 + 1), "the lockout covers the whole /64");
        assertEquals(ADMITTED, a.admit(neighbour, T0 + 1));
    }

    @Test
    void theIpv6PrefixIsConfigurableAndIpv4IsPerAddress() {
        Admission perAddress = new Admission(config().ipv6PrefixLength(128).build());
        assertEquals(v6("2001:db8::1"), perAddress.source(v6("2001:db8::1")));
        Admission by48 = new Admission(config().ipv6PrefixLength(48).build());
        assertEquals(v6("2001:db8:1::"), by48.source(v6("2001:db8:1:2:3:4:5:6")));
        assertEquals(A, by48.source(A));
    }
}
