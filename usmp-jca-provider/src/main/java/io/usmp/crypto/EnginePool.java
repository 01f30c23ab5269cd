package io.usmp.crypto;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small lock-free pool of JCA engine objects (handshake kits), so a handshake borrows engines
 * obtained once instead of paying {@code getInstance} and provider look-ups per step. Bounded: at
 * most {@code maxIdle} objects wait; more concurrent users simply create and drop their own. Chosen
 * over a {@code ThreadLocal} because the library runs inside application servers whose pooled
 * threads outlive a redeployment (a thread-local would pin the old class loader).
 */
final class EnginePool<T> {
    interface Factory<T> {
        T create() throws java.security.GeneralSecurityException;
    }

    private final ConcurrentLinkedQueue<T> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final int maxIdle;
    private final Factory<T> factory;

    EnginePool(int maxIdle, Factory<T> factory) {
        this.maxIdle = maxIdle;
        this.factory = factory;
    }

    T borrow() throws java.security.GeneralSecurityException {
        T t = idle.poll();
        if (t != null) {
            idleCount.decrementAndGet();
            return t;
        }
        return factory.create();
    }

    /** Gives back an object in a clean state; dropped when the pool is full. */
    void release(T t) {
        if (idleCount.incrementAndGet() <= maxIdle) {
            idle.offer(t);
        } else {
            idleCount.decrementAndGet();
        }
    }
}
