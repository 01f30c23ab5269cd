package io.usmp.wire;

import io.usmp.protocol.FrameException;

/** The packet types of SPEC §2. Any other code on the wire is a violation. */
public enum PacketType {
    HELLO(0x01, false),
    CHALLENGE(0x02, false),
    HELLO_ACK(0x03, false),
    SESSION_OK(0x04, false),
    DATA(0x05, true),
    PING(0x06, true),
    PONG(0x07, true),
    BYE(0x08, true),
    DATA_FRAG(0x09, true),
    HELLO_RETRY(0x0A, false);

    private static final PacketType[] BY_CODE = new PacketType[256];

    static {
        for (PacketType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final boolean encrypted;

    PacketType(int code, boolean encrypted) {
        this.code = code;
        this.encrypted = encrypted;
    }

    /** The type byte on the wire. */
    public int code() {
        return code;
    }

    /** Session frames are AES-GCM sealed; handshake frames are plaintext. */
    public boolean isEncrypted() {
        return encrypted;
    }

    /** The type for a wire code; ERROR (0xFF, reserved) and unassigned codes are violations. */
    public static PacketType fromCode(int code) throws FrameException {
        PacketType t = (code >= 0 && code < 256) ? BY_CODE[code] : null;
        if (t == null) {
            throw new FrameException(String.format("unknown packet type 0x%02X", code));
        }
        return t;
    }
}
