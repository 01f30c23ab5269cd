package io.usmp;

import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.UsmpException;

import java.net.InetSocketAddress;

/**
 * Receives what happens on a gateway. For one session the calls are serial and ordered:
 * {@code onSession}, every {@code onMessage} in arrival order, then {@code onClosed}. Calls run on
 * the server's delivery executor, never on an I/O thread, so a listener may block; while it is
 * behind by the configured queue capacity, the server stops reading that device's socket.
 */
public interface ServerListener {
    default void onSession(UsmpSession session) {
    }

    /** A whole message; {@code payload} belongs to the listener. */
    void onMessage(UsmpSession session, byte[] payload);

    /** The session ended; {@code cause} is null for an orderly end of ours. */
    default void onClosed(UsmpSession session, CloseReason reason, UsmpException cause) {
    }

    /**
     * A connection failed before its session was established; {@code device} is null when HELLO
     * was never read. Called on an I/O thread: must not block.
     */
    default void onHandshakeFailed(InetSocketAddress remote, DeviceId device, UsmpException cause) {
    }
}
