package io.usmp.transport;

import io.usmp.Refusal;
import io.usmp.ServerConfig;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's limits of SPEC §6: connection caps (total and per source), concurrent handshake
 * slots (total, and a per-source share so idle sockets from one address cannot hold them all), and
 * the per-source lockout after consecutive authentication failures (bounded table, least recently
 * touched source evicted first). A source is an IPv4 address, or an IPv6 address grouped by its
 * leading {@code ipv6PrefixLength} bits (/64 by default), since one IPv6 subscriber holds a whole
 * /64 and could otherwise spread over unlimited "addresses".
 */
final class Admission {
    private static final class Failures {
        int consecutive;
        long lockedUntil;
    }

    /** A connection waiting, unread, for a handshake slot. */
    private record Waiter(InetAddress source, Runnable resume) {
    }

    private final ServerConfig config;
    private final Map<InetAddress, Integer> perSource = new HashMap<>();
    private final Map<InetAddress, Integer> slotsPerSource = new HashMap<>();
    private final LinkedHashMap<InetAddress, Failures> failures;
    private final LinkedHashMap<Runnable, Waiter> waitingForSlot = new LinkedHashMap<>();
    private int total;
    private int handshakes;
    private long lockouts;

    Admission(ServerConfig config) {
        this.config = config;
        this.failures = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Failures> eldest) {
                return size() > config.lockoutTableSize();
            }
        };
    }

    /** The source an address counts as: itself for IPv4, its configured IPv6 prefix otherwise. */
    InetAddress source(InetAddress ip) {
        if (!(ip instanceof Inet6Address)) {
            return ip;
        }
        byte[] b = ip.getAddress();
        int prefix = config.ipv6PrefixLength();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            b[i] &= (byte) (0xFF00 >>> keep);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 16 bytes are always a valid address
        }
    }

    /** Counts a new connection in ({@code null}), or says why it must be closed at once. */
    synchronized Refusal admit(InetAddress ip, long now) {
        InetAddress src = source(ip);
        Failures f = failures.get(src);
        if (f != null && now < f.lockedUntil) {
            return Refusal.LOCKED_OUT;
        }
        if (total >= config.maxConnections()) {
            return Refusal.OVER_TOTAL;
        }
        int n = perSource.getOrDefault(src, 0);
        if (n >= config.maxConnectionsPerIp()) {
            return Refusal.OVER_PER_IP;
        }
        perSource.put(src, n + 1);
        total++;
        return null;
    }

    synchronized void release(InetAddress ip) {
        total--;
        perSource.computeIfPresent(source(ip), (k, n) -> n <= 1 ? null : n - 1);
    }

    synchronized void handshakeSucceeded(InetAddress ip) {
        failures.remove(source(ip));
    }

    /**
     * An authentication failure (bad MAC, unknown device): from the threshold-th consecutive one,
     * the source is locked for min(max, 2^(failures − threshold)) s. Nothing else counts (SPEC §6).
     */
    synchronized void authenticationFailed(InetAddress ip, long now) {
        if (config.lockoutThreshold() == 0) {
            return;
        }
        Failures f = failures.computeIfAbsent(source(ip), k -> new Failures());
        f.consecutive++;
        int over = f.consecutive - config.lockoutThreshold();
        if (over >= 0) {
            lockouts++;
            long seconds = over >= 31 ? config.lockoutMaxSeconds() : Math.min(config.lockoutMaxSeconds(), 1L << over);
            f.lockedUntil = now + seconds * 1000;
        }
    }

    /** Times a source was locked out (a failure at or past the threshold). */
    synchronized long lockouts() {
        return lockouts;
    }

    /**
     * Takes a handshake slot for a connection from {@code ip}, or queues {@code resume} to run
     * when one is handed over: a slot is free and the source holds fewer than its share.
     */
    synchronized boolean acquireSlot(InetAddress ip, Runnable resume) {
        InetAddress src = source(ip);
        if (handshakes < config.maxConcurrentHandshakes() && slotsOf(src) < config.maxHandshakesPerIp()) {
            take(src);
            return true;
        }
        waitingForSlot.put(resume, new Waiter(src, resume));
        return false;
    }

    /** Frees the slot of a connection from {@code ip} and hands slots to waiters that may take them. */
    void releaseSlot(InetAddress ip) {
        Runnable next;
        synchronized (this) {
            InetAddress src = source(ip);
            handshakes--;
            slotsPerSource.computeIfPresent(src, (k, n) -> n <= 1 ? null : n - 1);
            next = nextWaiter();
        }
        // Outside the lock: a resumed connection may release at once (it closed while waiting).
        if (next != null) {
            next.run();
        }
    }

    /** The first waiter, in arrival order, whose source is under its share, with its slot taken. */
    private Runnable nextWaiter() {
        if (handshakes >= config.maxConcurrentHandshakes()) {
            return null;
        }
        for (Iterator<Waiter> it = waitingForSlot.values().iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (slotsOf(w.source()) < config.maxHandshakesPerIp()) {
                it.remove();
                take(w.source());
                return w.resume();
            }
        }
        return null;
    }

    private int slotsOf(InetAddress src) {
        return slotsPerSource.getOrDefault(src, 0);
    }

    private void take(InetAddress src) {
        handshakes++;
        slotsPerSource.merge(src, 1, Integer::sum);
    }

    /** True while {@code ip}'s source is locked out (nothing is counted). */
    synchronized boolean lockedOut(InetAddress ip, long now) {
        Failures f = failures.get(source(ip));
        return f != null && now < f.lockedUntil;
    }

    /**
     * Takes a handshake slot now or not at all (UDP: nothing waits unread; a device whose HELLO
     * finds no slot sends it again).
     */
    synchronized boolean tryAcquireSlot(InetAddress ip) {
        InetAddress src = source(ip);
        if (handshakes < config.maxConcurrentHandshakes() && slotsOf(src) < config.maxHandshakesPerIp()) {
            take(src);
            return true;
        }
        return false;
    }

    /** A connection that never got a slot went away. */
    synchronized void cancelWaiting(Runnable resume) {
        waitingForSlot.remove(resume);
    }
}
