package io.usmp.protocol;

/** Sequence rule broken: mismatch, control frame during reassembly, exhaustion, or a control-frame flood. */
public class SequenceException extends UsmpException {
    private static final long serialVersionUID = 1L;

    public SequenceException(String message) {
        super(message, ErrorCode.SEQ, CloseReason.SEQUENCE, null);
    }

    public SequenceException(String message, Throwable cause) {
        super(message, ErrorCode.SEQ, CloseReason.SEQUENCE, cause);
    }
}
