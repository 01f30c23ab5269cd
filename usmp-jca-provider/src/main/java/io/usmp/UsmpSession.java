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
     * @throws PayloadException when the message is too large (nothing is sent)
     */
    CompletionStage<Void> send(byte[] message) throws PayloadException;

    /** Orderly close: BYE, then the connection closes. */
    void close();

    boolean isOpen();

    /** Whether the socket takes more bytes right now (false once closed or while its write buffer is full). */
    boolean isWritable();
}
