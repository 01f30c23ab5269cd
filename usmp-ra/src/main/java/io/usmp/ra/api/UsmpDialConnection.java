package io.usmp.ra.api;

import jakarta.resource.ResourceException;
import java.time.Duration;

/**
 * A handle on one pooled, authenticated USMP client session. One handle at a time per session;
 * calls through it are serialized. Inside a JTA transaction {@link #send} is held and the held
 * messages go out in order when the transaction commits (dropped on rollback); outside one they go
 * out at once. {@link #close()} returns the session to the pool; it does not end it.
 *
 * <p>Fail fast: any failure of the session (peer BYE or disconnect, protocol violation, I/O error,
 * a {@link #request} without reply in time) throws {@link UsmpDialException}; the session is then
 * discarded by the pool and the next {@code getConnection()} performs a fresh handshake.
 */
public interface UsmpDialConnection extends AutoCloseable {
    /**
     * Sends one message (at most 1808 bytes): held until commit inside a transaction, else written
     * before this returns.
     *
     * @throws IllegalArgumentException over 1808 bytes (nothing sent, the session stays usable)
     * @throws UsmpDialException        the session failed
     */
    void send(byte[] message) throws ResourceException;

    /**
     * The next message the peer sent, waiting up to {@code timeout}; {@code null} when none came
     * (not a failure: the session stays usable).
     *
     * @throws UsmpDialException the session failed (after every message received before was taken)
     */
    byte[] receive(Duration timeout) throws ResourceException;

    /**
     * Sends {@code message} at once (also inside a transaction) and waits for the peer's next
     * message. Inside a transaction that already holds sends it is refused, since it would overtake
     * them.
     *
     * @throws UsmpDialTimeoutException no message within {@code timeout}: a late reply could be taken
     *                                  for the answer to a later request, so the session is discarded
     * @throws UsmpDialException        the session failed
     * @throws jakarta.resource.spi.IllegalStateException sends are held in the current transaction
     */
    byte[] request(byte[] message, Duration timeout) throws ResourceException;

    /** Returns the session to the pool (unread messages are dropped); the handle is unusable afterwards. */
    @Override
    void close() throws ResourceException;
}
