package io.usmp.transport;

import io.usmp.session.EngineEvent;
import io.usmp.session.UsmpEngine;
import java.util.concurrent.CompletableFuture;

/**
 * One engine bound to its transport: a TCP connection ({@link EngineHandler}) or a UDP peer
 * ({@link DatagramSession}). Gateway sessions and device clients use either through this.
 */
interface SessionChannel {
    /** What the owner (gateway or client) does with the engine's events. Called on the event loop. */
    interface Events {
        void established(SessionChannel channel, EngineEvent.Established event);

        /** Returns true when the consumer is full and reading must pause. */
        boolean message(SessionChannel channel, byte[] payload);

        void closed(SessionChannel channel, EngineEvent.Closed event);
    }

    /**
     * Queues a message from any thread; completes when written (TCP) or acknowledged (UDP), fails
     * with {@link io.usmp.protocol.BackpressureException} while the output is over its bound.
     */
    CompletableFuture<Void> send(byte[] message);

    /**
     * Sends a PING from any thread; completes when the peer's PONG to it arrived, fails when the
     * session ends first or refuses the PING (see {@link UsmpEngine#probe}).
     */
    CompletableFuture<Void> ping();

    /** True when a send now would be accepted. */
    boolean isWritable();

    /** Orderly close from any thread (BYE). */
    void close();

    /**
     * Orderly close that keeps reading what the peer sent before it saw the BYE, for up to
     * {@code lingerMillis} (a gateway's close; see {@link UsmpEngine#closeLingering}).
     */
    void closeLingering(long lingerMillis);

    /** The consumer is full (pause reading) or has room again; safe from any thread. */
    void setPaused(boolean pause);

    /** Bytes queued for the peer and not yet taken by the kernel (TCP) or acknowledged (UDP). */
    long outboundPending();

    /** The engine (event loop only). */
    UsmpEngine engine();

    /** Ends the transport at once without BYE (a failed connect or handshake). */
    void abort();

    /** Waits up to {@code millis} until the transport has ended. */
    boolean awaitEnded(long millis);
}
