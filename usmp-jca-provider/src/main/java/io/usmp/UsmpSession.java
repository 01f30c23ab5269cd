package io.usmp;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PayloadException;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

/** An established session as the gateway sees it. Thread-safe. */
public interface UsmpSession {
    DeviceId deviceId();

    /** A copy of the 16-byte session id. */
    byte[] sessionId();

    /** The session id in lower-case hex. */
    String sessionIdHex();

    InetSocketAddress remoteAddress();

    /**
     * Sends one message (at most 1808 bytes) from any thread; the fragments of one message are
     * never interleaved with another's. Completes when written to the socket.
     *
     * <p>Backpressure: when the session is not {@linkplain #isWritable() writable} (the device does
     * not read and its outbound buffer is above the configured high water mark), the returned stage
     * completes exceptionally at once with {@link io.usmp.protocol.BackpressureException} and nothing
     * is queued; the session stays open. A session that stays unwritable for the slow-consumer
     * timeout is closed with {@link io.usmp.protocol.CloseReason#SLOW_CONSUMER}. After the session
     * ended, the stage fails with {@link io.usmp.protocol.ConnectionClosedException}.
     *
     * @throws PayloadException when the message is too large (nothing is sent)
     */
    CompletionStage<Void> send(byte[] message) throws PayloadException;

    /**
     * True when the session is open and its outbound buffer is below the high water mark, i.e. a
     * {@link #send} now would be accepted. A hint that may change at any moment (the device reads,
     * or another sender fills the buffer); {@link #send} decides. Implementations that do not bound
     * their output return {@link #isOpen()}.
     */
    default boolean isWritable() {
        return isOpen();
    }

    /**
     * Orderly close: BYE, then messages the device sent before it saw the BYE are still delivered
     * (for up to the server's close linger), then the connection closes.
     */
    void close();

    /**
     * Closes at once, without BYE, discarding whatever is queued for the device: for a device that
     * does not read, so that a message whose send timed out never leaves later.
     */
    default void abort() {
        close();
    }

    boolean isOpen();
}
