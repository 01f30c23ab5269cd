package io.usmp.session;

import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.UsmpException;

/** What an {@link UsmpEngine} reports to its transport, in the order it happened. */
public sealed interface EngineEvent {
    /** The handshake completed; messages may flow. */
    record Established(DeviceId deviceId, byte[] sessionId) implements EngineEvent {
        public Established {
            sessionId = sessionId.clone();
        }

        @Override
        public byte[] sessionId() {
            return sessionId.clone();
        }
    }

    /** A complete, authenticated message (the reassembled plaintext, owned by the receiver). */
    record Message(byte[] payload) implements EngineEvent {
        @Override
        public String toString() {
            return "Message[" + payload.length + " bytes]";
        }
    }

    /**
     * Datagram mode: the peer acknowledged (authenticated UTACK) our session frame {@code seq}, and
     * with stop-and-wait every frame before it.
     */
    record Delivered(long seq) implements EngineEvent {
    }

    /**
     * The peer's PONGs answered our PINGs up to the {@code answered}-th (counted from 1 in the order
     * sent). Reported only up to the PING of the latest {@link UsmpEngine#probe}: the PONGs of plain
     * keepalives are consumed silently.
     */
    record Pong(long answered) implements EngineEvent {
    }

    /**
     * The session ended; {@code cause} is {@code null} for {@link CloseReason#LOCAL} and carries the
     * typed failure otherwise. The transport closes the connection after writing pending output.
     */
    record Closed(CloseReason reason, UsmpException cause) implements EngineEvent {
    }
}
