package io.usmp.protocol;

/** The AES-GCM tag or the carried nonce did not verify. */
public class CryptoException extends UsmpException {
    private static final long serialVersionUID = 1L;

    public CryptoException(String message) {
        super(message, ErrorCode.CRYPTO, CloseReason.CRYPTO, null);
    }

    public CryptoException(String message, Throwable cause) {
        super(message, ErrorCode.CRYPTO, CloseReason.CRYPTO, cause);
    }
}
