package io.usmp.protocol;

/** A message over 1808 bytes or 4 frames, refused before sending or on reassembly. */
public class PayloadException extends UsmpException {
    private static final long serialVersionUID = 1L;

    public PayloadException(String message) {
        super(message, ErrorCode.BAD_FRAME, CloseReason.PAYLOAD, null);
    }

    public PayloadException(String message, Throwable cause) {
        super(message, ErrorCode.BAD_FRAME, CloseReason.PAYLOAD, cause);
    }
}
