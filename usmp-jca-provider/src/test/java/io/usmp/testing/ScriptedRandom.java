package io.usmp.testing;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A SecureRandom that hands out fixed byte strings in order, each consumed by exactly one
 * nextBytes call of the same length: replaces randomness to replay recorded sessions.
 */
public final class ScriptedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final transient Deque<byte[]> script = new ArrayDeque<>();

    public ScriptedRandom(byte[]... values) {
        for (byte[] v : values) {
            script.add(v.clone());
        }
    }

    @Override
    public synchronized void nextBytes(byte[] bytes) {
        byte[] next = script.poll();
        if (next == null || next.length != bytes.length) {
            throw new IllegalStateException("script expected a request of " + (next == null ? "nothing" : next.length + " bytes")
                    + ", got " + bytes.length);
        }
        System.arraycopy(next, 0, bytes, 0, bytes.length);
    }

    public synchronized boolean exhausted() {
        return script.isEmpty();
    }
}
