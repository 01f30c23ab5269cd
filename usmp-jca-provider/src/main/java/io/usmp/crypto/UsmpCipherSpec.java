package io.usmp.crypto;

import io.usmp.wire.PacketType;
import java.security.spec.AlgorithmParameterSpec;

/**
 * Parameters of {@code Cipher "USMP"} for one session frame: the session id (its first 8 bytes
 * form the nonce with the seq), the frame's packet type and its sequence number (both in the AAD).
 */
public final class UsmpCipherSpec implements AlgorithmParameterSpec {
    private final byte[] sessionId;
    private final PacketType type;
    private final long seq;

    public UsmpCipherSpec(byte[] sessionId, PacketType type, long seq) {
        if (sessionId.length != 16) {
            throw new IllegalArgumentException("a session id is 16 bytes");
        }
        if (!type.isEncrypted()) {
            throw new IllegalArgumentException(type + " is not an encrypted packet type");
        }
        this.sessionId = sessionId.clone();
        this.type = type;
        this.seq = seq;
    }

    byte[] sessionIdRef() {
        return sessionId;
    }

    public PacketType type() {
        return type;
    }

    public long seq() {
        return seq;
    }
}
