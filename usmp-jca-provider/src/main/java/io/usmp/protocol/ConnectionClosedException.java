package io.usmp.protocol;

/** The peer closed the connection or sent BYE; also thrown when using a session that has ended. */
public class ConnectionClosedException extends UsmpException {
    private static final long serialVersionUID = 1L;

    public ConnectionClosedException(String message, CloseReason reason) {
        super(message, ErrorCode.NONE, reason, null);
    }

    public ConnectionClosedException(String message) {
        this(message, CloseReason.PEER_DISCONNECTED);
    }
}
