package io.usmp.crypto;

import io.usmp.protocol.CryptoException;
import io.usmp.protocol.HandshakeException;
import io.usmp.protocol.Limits;
import io.usmp.protocol.UsmpException;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;

/**
 * What the protocol engine needs from cryptography, all obtained from a USMP {@link Provider} (by
 * default a private {@link UsmpProvider}), so a deployment swaps the primitives by configuration.
 * Thread-safe: JCA engine objects are created per use or per session, never shared.
 */
public final class UsmpCrypto {
    private static final UsmpCrypto DEFAULT = new UsmpCrypto(new UsmpProvider());
    /** Idle handshake kits kept per suite: enough for every I/O thread of a large host. */
    private static final int MAX_IDLE_KITS = 64;
    private static final byte[] ZERO_MAC_KEY = new byte[32];

    private final UsmpProvider provider;
    private final EnginePool<Kit> kits;

    /**
     * The engines one handshake step needs, obtained once and reused through {@link EnginePool}.
     * Each is left without secrets when given back: the key agreement is re-keyed with a throwaway
     * key by its SPI, the MAC with an all-zero key.
     */
    private static final class Kit {
        final KeyPairGenerator generator;
        final KeyAgreement agreement;
        final KeyFactory x25519Factory;
        final Mac hmac;

        Kit(UsmpProvider provider) throws GeneralSecurityException {
            generator = KeyPairGenerator.getInstance(UsmpProvider.NAME, provider);
            agreement = KeyAgreement.getInstance(UsmpProvider.NAME, provider);
            x25519Factory = provider.backing().x25519Factory();
            hmac = provider.backing().hmacSha256();
        }
    }

    private UsmpCrypto(UsmpProvider provider) {
        this.provider = provider;
        this.kits = new EnginePool<>(MAX_IDLE_KITS, () -> new Kit(provider));
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
            Kit kit = kits.borrow();
            kit.generator.initialize(255, random);
            KeyPair pair = kit.generator.generateKeyPair();
            kits.release(kit);
            return pair;
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
        Kit kit;
        try {
            kit = kits.borrow();
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new UsmpException("key agreement failed", e);
        }
        try {
            KeyAgreement ka = kit.agreement;
            ka.init(own, spec);
            ka.doPhase(X25519Keys.publicKey(kit.x25519Factory, peerPublic), true);
            byte[] keys = ka.generateSecret();
            kits.release(kit); // only a kit that completed goes back (a failed one may hold state)
            return keys;
        } catch (InvalidKeyException | java.security.spec.InvalidKeySpecException e) {
            throw new HandshakeException("key agreement refused the peer's X25519 key", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new UsmpException("key agreement failed", e);
        }
    }

    /** HMAC-SHA256 keyed with {@code key} over the concatenation of {@code parts}. */
    public byte[] hmacSha256(byte[] key, byte[]... parts) throws UsmpException {
        SessionKey k = null;
        try {
            k = new SessionKey("HmacSHA256", key, 0, key.length);
            Kit kit = kits.borrow();
            Mac mac = kit.hmac;
            mac.init(k);
            for (byte[] p : parts) {
                mac.update(p);
            }
            byte[] out = mac.doFinal();
            // The MAC object keeps its key's pads until re-keyed: re-key before it waits in the pool.
            SessionKey zero = new SessionKey("HmacSHA256", ZERO_MAC_KEY, 0, ZERO_MAC_KEY.length);
            mac.init(zero);
            kits.release(kit);
            return out;
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new UsmpException("HMAC-SHA256 failed", e);
        } finally {
            if (k != null) {
                k.destroy();
            }
        }
    }

    /**
     * AES-256-GCM for one direction of a session, keyed with 32 bytes of {@code keys} from
     * {@code off}. Uses the backing AEAD directly (the payload layout of {@code Cipher "USMP"},
     * byte for byte, without a second cipher layer per frame).
     */
    public SessionCipher sessionCipher(byte[] keys, int off) {
        return new SessionCipher(this, new SessionKey("AES", keys, off, 32));
    }

    /**
     * One direction's AES-256-GCM state. Not thread-safe; one per direction per session. The JDK
     * cipher object (some 800 bytes once keyed) is created at the first frame, so a session that
     * has not talked yet holds only its key; {@link #release()} drops it again once the session
     * is idle, and the next frame keys a new one.
     */
    public static final class SessionCipher {
        private static final int TAG_BITS = Limits.TAG_LENGTH * 8;
        private final UsmpCrypto crypto;
        private final SessionKey key;
        private Cipher gcm;

        SessionCipher(UsmpCrypto crypto, SessionKey key) {
            this.crypto = crypto;
            this.key = key;
        }

        private Cipher gcm() throws GeneralSecurityException {
            Cipher c = gcm;
            if (c == null) {
                c = crypto.provider.backing().aesGcm();
                gcm = c;
            }
            return c;
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
            if (len > Limits.MAX_FRAGMENT) {
                throw new UsmpException("sealing a frame failed",
                        new javax.crypto.IllegalBlockSizeException("plaintext of " + len + " bytes exceeds " + Limits.MAX_FRAGMENT));
            }
            try {
                byte[] nonce = spec.nonceRef();
                Cipher gcm = gcm();
                gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
                gcm.updateAAD(spec.aadRef());
                byte[] out = new byte[Limits.NONCE_LENGTH + len + Limits.TAG_LENGTH];
                System.arraycopy(nonce, 0, out, 0, Limits.NONCE_LENGTH);
                gcm.doFinal(plaintext, off, len, out, Limits.NONCE_LENGTH);
                return out;
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
            if (payload.length < Limits.SEALED_OVERHEAD || payload.length > Limits.MAX_FRAME_PAYLOAD) {
                throw new CryptoException("session payload too short for nonce and tag");
            }
            byte[] nonce = spec.nonceRef();
            int diff = 0;
            for (int i = 0; i < Limits.NONCE_LENGTH; i++) {
                diff |= nonce[i] ^ payload[i];
            }
            if (diff != 0) {
                throw new CryptoException("carried nonce does not match seq and session id");
            }
            try {
                Cipher gcm = gcm();
                gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
                gcm.updateAAD(spec.aadRef());
                return gcm.doFinal(payload, Limits.NONCE_LENGTH, payload.length - Limits.NONCE_LENGTH);
            } catch (javax.crypto.AEADBadTagException e) {
                throw new CryptoException(e.getMessage());
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new UsmpException("opening a frame failed", e);
            }
        }

        /**
         * Drops the keyed AES-GCM object; the key stays, and the next seal or open keys a new
         * object (the nonce comes from the caller's seq, so the frames are the same either way).
         * The dropped object is first re-keyed with a throwaway key, so no garbage keeps this
         * session's round keys after {@link #destroy()} wiped the key.
         */
        public void release() {
            Cipher c = gcm;
            if (c == null) {
                return;
            }
            gcm = null;
            // Encrypt mode on purpose: SunJCE keeps the last encryption key (to refuse IV reuse)
            // until the next encrypt-mode init.
            SessionKey throwaway = new SessionKey("AES", new byte[32], 0, 32);
            try {
                c.init(Cipher.ENCRYPT_MODE, throwaway, new GCMParameterSpec(TAG_BITS, new byte[Limits.NONCE_LENGTH]));
            } catch (GeneralSecurityException | RuntimeException e) {
                // The object is dropped either way; the key is wiped by destroy().
            } finally {
                throwaway.destroy();
            }
        }

        /** True while a keyed AES-GCM object is held: after a frame, until {@link #release()}. */
        public boolean holdsCipher() {
            return gcm != null;
        }

        /** Wipes the key and {@linkplain #release() releases} the cipher object. Unusable afterwards. */
        public void destroy() {
            if (key.isDestroyed()) {
                return;
            }
            key.destroy();
            release();
        }

        public boolean isDestroyed() {
            return key.isDestroyed();
        }
    }
}
