package io.usmp.protocol;

/** The handshake took too long, or nothing was received within the session timeout. */
public class UsmpTimeoutException extends UsmpException {
    private static final long serialVersionUID = 1L;

    public UsmpTimeoutException(String message) {
        super(message, ErrorCode.TIMEOUT, CloseReason.TIMEOUT, null);
    }

    public UsmpTimeoutException(String message, Throwable cause) {
        super(message, ErrorCode.TIMEOUT, CloseReason.TIMEOUT, cause);
    }
}
