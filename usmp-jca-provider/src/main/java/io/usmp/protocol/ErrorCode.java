package io.usmp.protocol;

/**
 * The reserved ERROR codes of SPEC §7. They are never sent on the wire (fail fast means no ERROR
 * frame); they classify failures for logs and metrics.
 */
public enum ErrorCode {
    /** The failure has no reserved code (a plain handshake failure, an orderly close). */
    NONE(0x00),
    VERSION(0x01),
    AUTH(0x02),
    SEQ(0x03),
    CRYPTO(0x04),
    BAD_FRAME(0x05),
    TIMEOUT(0x06),
    INTERNAL(0x07);

    private final int value;

    ErrorCode(int value) {
        this.value = value;
    }

    /** The byte value reserved for this code. */
    public int value() {
        return value;
    }
}
