package io.usmp.transport;

import io.usmp.ServerConfig;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's limits of SPEC §6: connection caps (total and per IP), concurrent handshake slots,
 * and the per-IP lockout after consecutive handshake failures (bounded table, least recently
 * touched IP evicted first).
 */
final class Admission {
    enum Verdict { ADMITTED, OVER_TOTAL, OVER_PER_IP, LOCKED_OUT }

    private static final class Failures {
        int consecutive;
        long lockedUntil;
    }

    private final ServerConfig config;
    private final Map<InetAddress, Integer> perIp = new HashMap<>();
    private final LinkedHashMap<InetAddress, Failures> failures;
    private final ArrayDeque<Runnable> waitingForSlot = new ArrayDeque<>();
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

    /** Counts a new connection in, or says why it must be closed at once. */
    synchronized Verdict admit(InetAddress ip, long now) {
        Failures f = failures.get(ip);
        if (f != null && now < f.lockedUntil) {
            return Verdict.LOCKED_OUT;
        }
        if (total >= config.maxConnections()) {
            return Verdict.OVER_TOTAL;
        }
        int n = perIp.getOrDefault(ip, 0);
        if (n >= config.maxConnectionsPerIp()) {
            return Verdict.OVER_PER_IP;
        }
        perIp.put(ip, n + 1);
        total++;
        return Verdict.ADMITTED;
    }

    synchronized void release(InetAddress ip) {
        total--;
        perIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    }

    synchronized void handshakeSucceeded(InetAddress ip) {
        failures.remove(ip);
    }

    /** From the threshold-th consecutive failure: locked for min(max, 2^(failures − threshold)) s. */
    synchronized void handshakeFailed(InetAddress ip, long now) {
        if (config.lockoutThreshold() == 0) {
            return;
        }
        Failures f = failures.computeIfAbsent(ip, k -> new Failures());
        f.consecutive++;
        int over = f.consecutive - config.lockoutThreshold();
        if (over >= 0) {
            lockouts++;
            long seconds = over >= 31 ? config.lockoutMaxSeconds() : Math.min(config.lockoutMaxSeconds(), 1L << over);
            f.lockedUntil = now + seconds * 1000;
        }
    }

    /** Times an address was locked out (a failure at or past the threshold). */
    synchronized long lockouts() {
        return lockouts;
    }

    /** Takes a handshake slot, or queues {@code resume} to run when one is handed over. */
    synchronized boolean acquireSlot(Runnable resume) {
        if (handshakes < config.maxConcurrentHandshakes()) {
            handshakes++;
            return true;
        }
        waitingForSlot.add(resume);
        return false;
    }

    /** Hands the slot to the next waiting connection, or frees it. */
    void releaseSlot() {
        Runnable next;
        synchronized (this) {
            next = waitingForSlot.poll();
            if (next == null) {
                handshakes--;
            }
        }
        if (next != null) {
            next.run();
        }
    }

    /** A connection that never got a slot went away. */
    synchronized void cancelWaiting(Runnable resume) {
        waitingForSlot.remove(resume);
    }
}
