package io.usmp.crypto;

import java.security.spec.AlgorithmParameterSpec;

/**
 * Parameters of {@code KeyAgreement "USMP"}: the server's 32-byte challenge nonce (the HKDF salt)
 * and both raw X25519 public keys (bound into the HKDF info as {@code "usmp-v2" ‖ pub_C ‖ pub_S}).
 */
public final class UsmpKeyAgreementSpec implements AlgorithmParameterSpec {
    private final byte[] nonce;
    private final byte[] clientPublic;
    private final byte[] serverPublic;

    public UsmpKeyAgreementSpec(byte[] nonce, byte[] clientPublic, byte[] serverPublic) {
        if (nonce.length != 32 || clientPublic.length != 32 || serverPublic.length != 32) {
            throw new IllegalArgumentException("nonce and public keys are 32 bytes each");
        }
        this.nonce = nonce.clone();
        this.clientPublic = clientPublic.clone();
        this.serverPublic = serverPublic.clone();
    }

    public byte[] nonce() {
        return nonce.clone();
    }

    public byte[] clientPublic() {
        return clientPublic.clone();
    }

    public byte[] serverPublic() {
        return serverPublic.clone();
    }
}
