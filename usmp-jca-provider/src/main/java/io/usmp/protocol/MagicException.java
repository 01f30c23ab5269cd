package io.usmp.protocol;

/** The frame does not start with the magic bytes CD AB. */
public class MagicException extends FrameException {
    private static final long serialVersionUID = 1L;

    public MagicException(String message) {
        super(message, ErrorCode.BAD_FRAME, CloseReason.BAD_FRAME, null);
    }

    public MagicException(String message, Throwable cause) {
        super(message, ErrorCode.BAD_FRAME, CloseReason.BAD_FRAME, cause);
    }
}
