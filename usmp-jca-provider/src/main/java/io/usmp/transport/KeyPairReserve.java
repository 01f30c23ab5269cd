package io.usmp.transport;

import io.usmp.handshake.KeyPairSource;
import io.usmp.protocol.UsmpException;
import java.security.KeyPair;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Ephemeral key pairs made before a gateway accepts, for the reconnect storm that follows its start:
 * a fleet reconnecting at once then waits for one X25519 operation per handshake instead of two, and
 * the key generation's CPU was spent before the port opened (a profile of 1 000 devices reconnecting
 * to WildFly put 14-16 % of the server's CPU in X25519, about half of it key generation).
 * <p>Each pair is handed out once and dropped from the reserve as it is; the reserve lives only for
 * its first minutes ({@code lifetimeNanos}), then whatever is left is dropped and every pair is made
 * on demand, as without a reserve. So pre-made private keys exist only in the window a restart storm
 * needs, and never wait in memory for a connection longer than that.
 */
final class KeyPairReserve implements KeyPairSource {
    private final KeyPairSource fresh;
    private final LongSupplier nanoTime;
    private final long expiresAt;
    private ArrayDeque<KeyPair> reserve;

    /** Makes {@code size} pairs now; if making one fails, the reserve holds those made so far (the failure will show in real traffic). */
    KeyPairReserve(KeyPairSource fresh, int size, long lifetimeNanos, LongSupplier nanoTime) {
        this.fresh = fresh;
        this.nanoTime = nanoTime;
        this.reserve = new ArrayDeque<>(size);
        try {
            for (int i = 0; i < size; i++) {
                reserve.add(fresh.next());
            }
        } catch (UsmpException | RuntimeException e) {
            // fewer pairs in reserve; each handshake then makes its own, and reports the failure itself
        }
        this.expiresAt = nanoTime.getAsLong() + lifetimeNanos;
    }

    @Override
    public KeyPair next() throws UsmpException {
        KeyPair made = take();
        return made != null ? made : fresh.next();
    }

    private synchronized KeyPair take() {
        if (reserve != null && nanoTime.getAsLong() - expiresAt >= 0) {
            drop();
        }
        return reserve == null ? null : reserve.poll();
    }

    /** Pairs still held (tests). */
    synchronized int held() {
        return reserve == null ? 0 : reserve.size();
    }

    /** Drops every pair still held (the gateway is closing, or the reserve expired). */
    synchronized void drop() {
        if (reserve != null) {
            reserve.clear();
            reserve = null;
        }
    }
}
