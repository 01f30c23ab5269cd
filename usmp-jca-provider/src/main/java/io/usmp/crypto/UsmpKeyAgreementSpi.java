package io.usmp.crypto;

import java.nio.charset.StandardCharsets;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import javax.crypto.KeyAgreementSpi;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * {@code KeyAgreement "USMP"} (SPEC §3): {@code shared = X25519(own, peer)}, an all-zero shared
 * secret is refused, then {@code okm = HKDF-SHA256(salt = nonce, ikm = shared,
 * info = "usmp-v2" ‖ pub_C ‖ pub_S, L = 64)}. HKDF comes from Bouncy Castle (JDK 17 has none).
 */
final class UsmpKeyAgreementSpi extends KeyAgreementSpi {
    /** {@code k_c2s ‖ k_s2c}. */
    static final int SECRET_LENGTH = 64;
    private static final byte[] INFO_LABEL = "usmp-v2".getBytes(StandardCharsets.US_ASCII);

    private final KeyAgreement x25519;
    /** A fixed, public private key the backing agreement is re-keyed with after use (see {@link #scrub}). */
    private final Key throwaway;
    private UsmpKeyAgreementSpec spec;
    private byte[] okm;

    UsmpKeyAgreementSpi(Backing backing) throws NoSuchAlgorithmException {
        this.x25519 = backing.x25519Agreement();
        byte[] raw = new byte[X25519Keys.KEY_LENGTH];
        Arrays.fill(raw, (byte) 0x55);
        try {
            this.throwaway = X25519Keys.privateKey(backing.x25519Factory(), raw);
        } catch (java.security.GeneralSecurityException e) {
            throw new NoSuchAlgorithmException("X25519 key factory unusable", e);
        }
    }

    /**
     * Re-keys the backing agreement with the throwaway key, so an engine reused for many handshakes
     * (UsmpCrypto pools them) does not keep the last ephemeral private key reachable.
     */
    private void scrub() {
        try {
            x25519.init(throwaway);
        } catch (InvalidKeyException | RuntimeException e) {
            // the ephemeral key then stays referenced until the next init; nothing else to do
        }
    }

    @Override
    protected void engineInit(Key key, SecureRandom random) throws InvalidKeyException {
        throw new InvalidKeyException("KeyAgreement USMP needs a UsmpKeyAgreementSpec");
    }

    @Override
    protected void engineInit(Key key, AlgorithmParameterSpec params, SecureRandom random)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        if (!(params instanceof UsmpKeyAgreementSpec)) {
            throw new InvalidAlgorithmParameterException("KeyAgreement USMP needs a UsmpKeyAgreementSpec");
        }
        x25519.init(key);
        spec = (UsmpKeyAgreementSpec) params;
        wipe();
    }

    @Override
    protected Key engineDoPhase(Key key, boolean lastPhase) throws InvalidKeyException {
        if (spec == null) {
            throw new IllegalStateException("not initialised");
        }
        if (!lastPhase) {
            throw new IllegalStateException("USMP key agreement has a single phase");
        }
        byte[] shared;
        try {
            x25519.doPhase(key, true);
            shared = x25519.generateSecret();
        } catch (IllegalStateException e) {
            // Bouncy Castle reports a small-order peer key (all-zero result) this way.
            throw new InvalidKeyException("X25519 agreement failed: peer key of small order", e);
        } finally {
            scrub();
        }
        try {
            if (isAllZero(shared)) {
                throw new InvalidKeyException("X25519 shared secret is all zero");
            }
            HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
            hkdf.init(new HKDFParameters(shared, spec.nonce(), info(spec)));
            okm = new byte[SECRET_LENGTH];
            hkdf.generateBytes(okm, 0, SECRET_LENGTH);
        } finally {
            Arrays.fill(shared, (byte) 0);
        }
        return null;
    }

    private static byte[] info(UsmpKeyAgreementSpec spec) {
        byte[] info = Arrays.copyOf(INFO_LABEL, INFO_LABEL.length + 64);
        System.arraycopy(spec.clientPublic(), 0, info, INFO_LABEL.length, 32);
        System.arraycopy(spec.serverPublic(), 0, info, INFO_LABEL.length + 32, 32);
        return info;
    }

    private static boolean isAllZero(byte[] b) {
        int acc = 0;
        for (byte x : b) {
            acc |= x;
        }
        return acc == 0;
    }

    @Override
    protected byte[] engineGenerateSecret() {
        byte[] out = new byte[SECRET_LENGTH];
        try {
            engineGenerateSecret(out, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Override
    protected int engineGenerateSecret(byte[] sharedSecret, int offset) throws ShortBufferException {
        if (okm == null) {
            throw new IllegalStateException("doPhase has not completed");
        }
        if (sharedSecret.length - offset < SECRET_LENGTH) {
            throw new ShortBufferException("need " + SECRET_LENGTH + " bytes");
        }
        System.arraycopy(okm, 0, sharedSecret, offset, SECRET_LENGTH);
        wipe();
        return SECRET_LENGTH;
    }

    /** The 64 bytes as a destroyable key of algorithm "USMP". */
    @Override
    protected SecretKey engineGenerateSecret(String algorithm) throws NoSuchAlgorithmException {
        if (!algorithm.equals(UsmpProvider.NAME)) {
            throw new NoSuchAlgorithmException("KeyAgreement USMP yields a USMP key, not " + algorithm);
        }
        byte[] out = engineGenerateSecret();
        try {
            return new SessionKey(UsmpProvider.NAME, out, 0, out.length);
        } finally {
            Arrays.fill(out, (byte) 0);
        }
    }

    private void wipe() {
        if (okm != null) {
            Arrays.fill(okm, (byte) 0);
            okm = null;
        }
    }
}
