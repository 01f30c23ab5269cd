package io.usmp.handshake;

import io.usmp.crypto.UsmpCipherSpec;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.protocol.UsmpException;
import io.usmp.wire.Datagrams;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;

/**
 * Seals and opens the session frames of one direction: AES-256-GCM from the crypto layer, with the
 * nonce and associated data laid out by the wire layer. Not thread-safe; one per direction.
 */
public final class FrameCipher {
    private final UsmpCrypto.SessionCipher cipher;
    private final byte[] sessionId;

    private FrameCipher(UsmpCrypto.SessionCipher cipher, byte[] sessionId) {
        this.cipher = cipher;
        this.sessionId = sessionId.clone();
    }

    /** A cipher keyed with 32 bytes of {@code keys} from {@code off}, for the session {@code sessionId}. */
    public static FrameCipher create(UsmpCrypto crypto, byte[] keys, int off, byte[] sessionId) throws UsmpException {
        return new FrameCipher(crypto.sessionCipher(keys, off), sessionId);
    }

    /** The payload {@code nonce ‖ ciphertext ‖ tag} of a frame of {@code type} and {@code seq}. */
    public byte[] seal(PacketType type, long seq, byte[] plaintext, int off, int len) throws UsmpException {
        return cipher.seal(spec(type, seq, len + Frame.SEALED_OVERHEAD), plaintext, off, len);
    }

    /**
     * The plaintext of a received session payload.
     *
     * @throws io.usmp.protocol.CryptoException when the carried nonce or the tag does not verify
     */
    public byte[] open(PacketType type, long seq, byte[] payload) throws UsmpException {
        return cipher.open(spec(type, seq, payload.length), payload);
    }

    private UsmpCipherSpec spec(PacketType type, long seq, int payloadLength) {
        return new UsmpCipherSpec(Frame.nonce(seq, sessionId), Frame.aad(type, seq, payloadLength));
    }

    /**
     * The UTACK of a session frame of this direction (SPEC §5): {@code AC AC ‖ type ‖ seq} and the
     * first 8 bytes of its HMAC-SHA256 under this direction's key. A receiver acknowledges with its
     * receive cipher; the sender verifies with its send cipher (the same key).
     */
    public byte[] utack(PacketType type, long seq) throws UsmpException {
        byte[] header = Datagrams.utackHeader(type, seq);
        return Datagrams.sessionUtack(header, cipher.hmacSha256(header));
    }

    /** True when {@code utack} (7-byte header, 8-byte MAC) authenticates under this direction's key. */
    public boolean verifyUtack(Datagrams.Utack utack) throws UsmpException {
        if (utack.mac() == null) {
            return false;
        }
        byte[] expected = java.util.Arrays.copyOf(cipher.hmacSha256(utack.header()), Datagrams.UTACK_MAC_LENGTH);
        return java.security.MessageDigest.isEqual(expected, utack.mac());
    }

    /** Drops the keyed AES-GCM object until the next frame (see {@link UsmpCrypto.SessionCipher#release()}). */
    public void release() {
        cipher.release();
    }

    /** True while a keyed AES-GCM object is held. */
    public boolean holdsCipher() {
        return cipher.holdsCipher();
    }

    /** Wipes the key (see {@link UsmpCrypto.SessionCipher#destroy()}). */
    public void destroy() {
        cipher.destroy();
    }

    public boolean isDestroyed() {
        return cipher.isDestroyed();
    }
}
