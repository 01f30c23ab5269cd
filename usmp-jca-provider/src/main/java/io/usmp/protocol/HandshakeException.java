package io.usmp.protocol;

/** The handshake failed (unexpected frame or length, bad key share). */
public class HandshakeException extends UsmpException {
    private static final long serialVersionUID = 1L;

    public HandshakeException(String message) {
        super(message, ErrorCode.NONE, CloseReason.HANDSHAKE, null);
    }

    public HandshakeException(String message, Throwable cause) {
        super(message, ErrorCode.NONE, CloseReason.HANDSHAKE, cause);
    }

    protected HandshakeException(String message, ErrorCode code, CloseReason reason, Throwable cause) {
        super(message, code, reason, cause);
    }
}
