package io.usmp.protocol;

/** The frame carries a protocol version other than 0x02. */
public class VersionException extends FrameException {
    private static final long serialVersionUID = 1L;

    public VersionException(String message) {
        super(message, ErrorCode.VERSION, CloseReason.VERSION, null);
    }

    public VersionException(String message, Throwable cause) {
        super(message, ErrorCode.VERSION, CloseReason.VERSION, cause);
    }
}
