package io.usmp.crypto;

import io.usmp.protocol.Limits;
import java.security.spec.AlgorithmParameterSpec;

/**
 * Parameters of {@code Cipher "USMP"} for one session payload: the 12-byte nonce the payload
 * carries and the associated data it is bound to. Both are built by the frame layout
 * ({@code io.usmp.wire.Frame#nonce} and {@code Frame#aad}); this class only carries them.
 */
public final class UsmpCipherSpec implements AlgorithmParameterSpec {
    private final byte[] nonce;
    private final byte[] aad;

    public UsmpCipherSpec(byte[] nonce, byte[] aad) {
        if (nonce.length != Limits.NONCE_LENGTH) {
            throw new IllegalArgumentException("a USMP nonce is " + Limits.NONCE_LENGTH + " bytes");
        }
        this.nonce = nonce.clone();
        this.aad = aad.clone();
    }

    /** A copy of the nonce. */
    public byte[] nonce() {
        return nonce.clone();
    }

    byte[] nonceRef() {
        return nonce;
    }

    byte[] aadRef() {
        return aad;
    }
}
