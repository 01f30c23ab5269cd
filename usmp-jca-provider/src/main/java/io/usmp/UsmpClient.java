package io.usmp;

import io.usmp.protocol.CloseReason;
import io.usmp.protocol.ConnectionClosedException;
import io.usmp.protocol.PayloadException;
import io.usmp.protocol.UsmpException;
import io.usmp.protocol.UsmpTimeoutException;

import java.time.Duration;

/**
 * A blocking device-side connection, for simple device programs and tests: connect (handshake
 * included), send, receive, close. Thread-safe.
 */
public interface UsmpClient extends AutoCloseable {
    /** Connects and completes the handshake. */
    static UsmpClient connect(ClientConfig config) throws java.io.IOException {
        return TransportProvider.get().connect(config);
    }

    /** A copy of the session id. */
    byte[] sessionId();

    /**
     * Sends one message and waits until it is written.
     *
     * @throws PayloadException          over 1808 bytes (nothing sent; the session stays open)
     * @throws ConnectionClosedException the session has ended
     */
    void send(byte[] message) throws UsmpException;

    /**
     * The next message, waiting up to {@code timeout}; {@code null} on timeout.
     *
     * @throws UsmpException the session ended (after every message received before that was taken);
     *                       the exception says why
     */
    byte[] receive(Duration timeout) throws UsmpException, InterruptedException;

    /**
     * Sends a PING and waits until the peer's PONG to it arrives: proof that the peer still reads
     * and answers, which an open socket and successful writes are not (a peer that vanished without
     * FIN or RST, or stopped reading, leaves both intact). The peer counts PINGs towards its flood
     * limit: at most 8 PING/PONG frames per second per session (SPEC §4).
     *
     * @throws UsmpTimeoutException      no PONG within {@code timeout}; the session stays open (the
     *                                   caller decides whether to close it)
     * @throws ConnectionClosedException the session has ended, before or while waiting
     */
    void ping(Duration timeout) throws UsmpException, InterruptedException;

    boolean isOpen();

    /** Why the session ended, or null while open. */
    CloseReason closeReason();

    /** Orderly close: BYE, then the socket closes. */
    @Override
    void close();
}
