package io.usmp;

import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * The I/O threads (Netty event loops) that servers and clients run on. One transport is meant to
 * be shared by everything in a process; closing it stops its threads.
 */
public interface UsmpTransport extends AutoCloseable {
    /** Event loops on threads made by {@code threadFactory}. */
    static UsmpTransport create(int threads, ThreadFactory threadFactory) {
        return TransportProvider.get().transport(threads, threadFactory);
    }

    /**
     * Event loops that each run as one long task submitted to {@code executor}, e.g. a Jakarta
     * Connectors WorkManager, so no thread exists that the container does not know about.
     */
    static UsmpTransport create(int threads, Executor executor) {
        return TransportProvider.get().transport(threads, executor);
    }

    /** Stops the event loops and waits (bounded) for them to finish. */
    @Override
    void close();
}
