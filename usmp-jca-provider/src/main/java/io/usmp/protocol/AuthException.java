package io.usmp.protocol;

/** Authentication failed: transcript MAC mismatch, unknown device, or a PSK shorter than 16 bytes. */
public class AuthException extends HandshakeException {
    private static final long serialVersionUID = 1L;

    public AuthException(String message) {
        super(message, ErrorCode.AUTH, CloseReason.AUTH, null);
    }

    public AuthException(String message, Throwable cause) {
        super(message, ErrorCode.AUTH, CloseReason.AUTH, cause);
    }
}
