package io.usmp.protocol;

import java.io.IOException;

/**
 * Root of every USMP failure. Carries the reserved {@link ErrorCode} and the {@link CloseReason}
 * the session ends with. Messages never contain key material or payload bytes.
 */
public class UsmpException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final CloseReason reason;

    public UsmpException(String message) {
        this(message, ErrorCode.INTERNAL, CloseReason.INTERNAL, null);
    }

    public UsmpException(String message, Throwable cause) {
        this(message, ErrorCode.INTERNAL, CloseReason.INTERNAL, cause);
    }

    protected UsmpException(String message, ErrorCode code, CloseReason reason, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.reason = reason;
    }

    /** The reserved code of SPEC §7 (never sent, for logs and metrics). */
    public ErrorCode code() {
        return code;
    }

    /** How a session that fails with this exception is reported as closed. */
    public CloseReason reason() {
        return reason;
    }
}
