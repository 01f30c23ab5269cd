package io.usmp.protocol;

/** The frame's CRC-16/MODBUS does not match its header and payload. */
public class CrcException extends FrameException {
    private static final long serialVersionUID = 1L;

    public CrcException(String message) {
        super(message, ErrorCode.BAD_FRAME, CloseReason.BAD_FRAME, null);
    }

    public CrcException(String message, Throwable cause) {
        super(message, ErrorCode.BAD_FRAME, CloseReason.BAD_FRAME, cause);
    }
}
