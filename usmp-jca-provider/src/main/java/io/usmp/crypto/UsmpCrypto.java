package io.usmp.crypto;

import io.usmp.protocol.CryptoException;
import io.usmp.protocol.HandshakeException;
import io.usmp.protocol.Limits;
import io.usmp.protocol.UsmpException;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the protocol engine needs from cryptography, all obtained from a USMP {@link Provider} (by
 * default a private {@link UsmpProvider}), so a deployment swaps the primitives by configuration.
 * Thread-safe: JCA engine objects are created per use or per session, never shared.
 */
public final class UsmpCrypto {
    private static final UsmpCrypto DEFAULT = new UsmpCrypto(new UsmpProvider());

    private final UsmpProvider provider;

    private UsmpCrypto(UsmpProvider provider) {
        this.provider = provider;
    }

    /** The suite on a default-configured {@link UsmpProvider}. */
    public static UsmpCrypto defaults() {
        return DEFAULT;
    }

    /** The suite on a given (possibly {@link Provider#configure configured}) USMP provider. */
    public static UsmpCrypto of(UsmpProvider provider) {
        return new UsmpCrypto(provider);
    }

    public UsmpProvider provider() {
        return provider;
    }

    /** A fresh ephemeral X25519 pair through {@code KeyPairGenerator "USMP"}. */
    public KeyPair generateKeyPair(SecureRandom random) throws UsmpException {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(UsmpProvider.NAME, provider);
            g.initialize(255, random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new UsmpException("X25519 key generation failed", e);
        }
    }

    /** An X25519 private key from its 32 raw bytes (fixed keys for replaying test vectors). */
    public PrivateKey privateKeyFromRaw(byte[] raw) throws UsmpException {
        try {
            return X25519Keys.privateKey(provider.backing().x25519Factory(), raw);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new UsmpException("not an X25519 private key", e);
        }
    }

    /**
     * Runs {@code KeyAgreement "USMP"} and returns {@code k_c2s ‖ k_s2c} (64 bytes, caller wipes).
     *
     * @throws HandshakeException when the peer's key is invalid or the shared secret is all zero
     */
    public byte[] deriveSessionKeys(PrivateKey own, byte[] peerPublic, UsmpKeyAgreementSpec spec) throws UsmpException {
        try {
            KeyAgreement ka = KeyAgreement.getInstance(UsmpProvider.NAME, provider);
            ka.init(own, spec);
            ka.doPhase(X25519Keys.publicKey(provider.backing().x25519Factory(), peerPublic), true);
            return ka.generateSecret();
        } catch (InvalidKeyException | java.security.spec.InvalidKeySpecException e) {
            throw new HandshakeException("key agreement refused the peer's X25519 key", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new UsmpException("key agreement failed", e);
        }
    }

    /** HMAC-SHA256 keyed with {@code key} over the concatenation of {@code parts}. */
    public byte[] hmacSha256(byte[] key, byte[]... parts) throws UsmpException {
        try {
            Mac mac = provider.backing().hmacSha256();
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new UsmpException("HMAC-SHA256 failed", e);
        }
    }

    /** AES-256-GCM for one direction of a session, keyed with 32 bytes of {@code keys} from {@code off}. */
    public SessionCipher sessionCipher(byte[] keys, int off) throws UsmpException {
        try {
            return new SessionCipher(this, Cipher.getInstance(UsmpProvider.NAME, provider), new SessionKey("AES", keys, off, 32));
        } catch (GeneralSecurityException e) {
            throw new UsmpException("Cipher USMP unavailable", e);
        }
    }

    /** One direction's AES-256-GCM state. Not thread-safe; one per direction per session. */
    public static final class SessionCipher {
        private final UsmpCrypto crypto;
        private final Cipher cipher;
        private final SessionKey key;

        SessionCipher(UsmpCrypto crypto, Cipher cipher, SessionKey key) {
            this.crypto = crypto;
            this.cipher = cipher;
            this.key = key;
        }

        /** HMAC-SHA256 keyed with this direction's key (UDP authenticates its transport acknowledgements so). */
        public byte[] hmacSha256(byte[]... parts) throws UsmpException {
            byte[] raw = key.getEncoded();
            try {
                return crypto.hmacSha256(raw, parts);
            } finally {
                java.util.Arrays.fill(raw, (byte) 0);
            }
        }

        /** {@code nonce ‖ ciphertext ‖ tag} for a plaintext of at most 452 bytes. */
        public byte[] seal(UsmpCipherSpec spec, byte[] plaintext, int off, int len) throws UsmpException {
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, spec);
                return cipher.doFinal(plaintext, off, len);
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new UsmpException("sealing a frame failed", e);
            }
        }

        /**
         * The plaintext of a session payload.
         *
         * @throws CryptoException when the carried nonce or the tag does not verify
         */
        public byte[] open(UsmpCipherSpec spec, byte[] payload) throws UsmpException {
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, spec);
                return cipher.doFinal(payload);
            } catch (javax.crypto.AEADBadTagException e) {
                throw new CryptoException(e.getMessage());
            } catch (javax.crypto.IllegalBlockSizeException e) {
                throw new CryptoException("session payload too short for nonce and tag");
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new UsmpException("opening a frame failed", e);
            }
        }

        /**
         * Wipes the key, and re-keys the cipher with a throwaway key so the backing AES-GCM object
         * no longer holds the session key or its round keys. Encrypt mode on purpose: SunJCE keeps
         * the last encryption key (to refuse IV reuse) until the next encrypt-mode init. Unusable
         * afterwards.
         */
        public void destroy() {
            if (key.isDestroyed()) {
                return;
            }
            key.destroy();
            SessionKey throwaway = new SessionKey("AES", new byte[32], 0, 32);
            try {
                cipher.init(Cipher.ENCRYPT_MODE, throwaway, new UsmpCipherSpec(new byte[Limits.NONCE_LENGTH], new byte[0]));
            } catch (GeneralSecurityException | RuntimeException e) {
                // The session key itself is already wiped; the provider's copy is dropped with the cipher.
            } finally {
                throwaway.destroy();
            }
        }

        public boolean isDestroyed() {
            return key.isDestroyed();
        }
    }
}
