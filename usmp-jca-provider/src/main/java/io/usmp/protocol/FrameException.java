package io.usmp.protocol;

/** A malformed frame: length over 480, bad layout or unknown packet type. */
public class FrameException extends UsmpException {
    private static final long serialVersionUID = 1L;

    public FrameException(String message) {
        super(message, ErrorCode.BAD_FRAME, CloseReason.BAD_FRAME, null);
    }

    public FrameException(String message, Throwable cause) {
        super(message, ErrorCode.BAD_FRAME, CloseReason.BAD_FRAME, cause);
    }

    protected FrameException(String message, ErrorCode code, CloseReason reason, Throwable cause) {
        super(message, code, reason, cause);
    }
}
