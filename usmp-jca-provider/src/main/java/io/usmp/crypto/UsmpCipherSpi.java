package io.usmp.crypto;

import io.usmp.protocol.Limits;
import java.io.ByteArrayOutputStream;
import java.security.AlgorithmParameters;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.CipherSpi;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;

/**
 * {@code Cipher "USMP"}: one session payload (SPEC §4). Encryption turns a plaintext of at most
 * 452 bytes into {@code nonce(12) ‖ ciphertext ‖ tag(16)}; decryption checks that the carried nonce
 * equals the expected one ({@code seq ‖ session_id[0..8)}) and opens the AES-256-GCM box. Nonce and
 * associated data come from the {@link UsmpCipherSpec}.
 */
final class UsmpCipherSpi extends CipherSpi {
    private static final int NONCE_LENGTH = Limits.NONCE_LENGTH;
    private static final int TAG_LENGTH = Limits.TAG_LENGTH;
    private static final int OVERHEAD = Limits.SEALED_OVERHEAD;

    private final Cipher gcm;
    private final ByteArrayOutputStream buffered = new ByteArrayOutputStream();
    private int mode;
    private UsmpCipherSpec spec;

    UsmpCipherSpi(Backing backing) throws NoSuchAlgorithmException {
        try {
            this.gcm = backing.aesGcm();
        } catch (NoSuchPaddingException e) {
            throw new NoSuchAlgorithmException("AES/GCM/NoPadding unavailable", e);
        }
    }

    @Override
    protected void engineSetMode(String m) throws NoSuchAlgorithmException {
        throw new NoSuchAlgorithmException("Cipher USMP has no modes");
    }

    @Override
    protected void engineSetPadding(String padding) throws NoSuchPaddingException {
        throw new NoSuchPaddingException("Cipher USMP has no padding");
    }

    @Override
    protected int engineGetBlockSize() {
        return 0;
    }

    @Override
    protected int engineGetOutputSize(int inputLen) {
        int total = buffered.size() + inputLen;
        return mode == Cipher.DECRYPT_MODE ? Math.max(0, total - OVERHEAD) : total + OVERHEAD;
    }

    @Override
    protected byte[] engineGetIV() {
        return spec == null ? null : spec.nonce();
    }

    @Override
    protected AlgorithmParameters engineGetParameters() {
        return null;
    }

    @Override
    protected void engineInit(int opmode, Key key, SecureRandom random) throws InvalidKeyException {
        throw new InvalidKeyException("Cipher USMP needs a UsmpCipherSpec");
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameters params, SecureRandom random)
            throws InvalidKeyException {
        throw new InvalidKeyException("Cipher USMP needs a UsmpCipherSpec");
    }

    @Override
    protected void engineInit(int opmode, Key key, AlgorithmParameterSpec params, SecureRandom random)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        if (opmode != Cipher.ENCRYPT_MODE && opmode != Cipher.DECRYPT_MODE) {
            throw new InvalidAlgorithmParameterException("Cipher USMP only encrypts and decrypts");
        }
        if (!(params instanceof UsmpCipherSpec)) {
            throw new InvalidAlgorithmParameterException("Cipher USMP needs a UsmpCipherSpec");
        }
        if (!"AES".equalsIgnoreCase(key.getAlgorithm()) && !UsmpProvider.NAME.equals(key.getAlgorithm())) {
            throw new InvalidKeyException("Cipher USMP takes a 32-byte AES key");
        }
        this.mode = opmode;
        this.spec = (UsmpCipherSpec) params;
        this.buffered.reset();
        gcm.init(opmode, new AesKey(key), new GCMParameterSpec(TAG_LENGTH * 8, spec.nonceRef()));
    }

    @Override
    protected byte[] engineUpdate(byte[] input, int off, int len) {
        buffered.write(input, off, len);
        return new byte[0];
    }

    @Override
    protected int engineUpdate(byte[] input, int off, int len, byte[] output, int outOff) {
        buffered.write(input, off, len);
        return 0;
    }

    @Override
    protected byte[] engineDoFinal(byte[] input, int off, int len) throws IllegalBlockSizeException, BadPaddingException {
        if (spec == null) {
            throw new IllegalStateException("Cipher USMP not initialised");
        }
        byte[] in = input;
        int inOff = off;
        int inLen = len;
        if (buffered.size() > 0) {
            buffered.write(input == null ? new byte[0] : input, off, len);
            in = buffered.toByteArray();
            inOff = 0;
            inLen = in.length;
            buffered.reset();
        }
        return mode == Cipher.ENCRYPT_MODE ? seal(in, inOff, inLen) : open(in, inOff, inLen);
    }

    private byte[] seal(byte[] in, int off, int len) throws IllegalBlockSizeException, BadPaddingException {
        int payloadLength = len + OVERHEAD;
        if (len > Limits.MAX_FRAGMENT) {
            throw new IllegalBlockSizeException("plaintext of " + len + " bytes exceeds " + Limits.MAX_FRAGMENT);
        }
        byte[] out = new byte[payloadLength];
        System.arraycopy(spec.nonceRef(), 0, out, 0, NONCE_LENGTH);
        gcm.updateAAD(spec.aadRef());
        try {
            gcm.doFinal(in, off, len, out, NONCE_LENGTH);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private byte[] open(byte[] in, int off, int len) throws IllegalBlockSizeException, BadPaddingException {
        if (len < OVERHEAD || len > Limits.MAX_FRAME_PAYLOAD) {
            throw new IllegalBlockSizeException("session payload of " + len + " bytes is outside " + OVERHEAD + ".."
                    + Limits.MAX_FRAME_PAYLOAD);
        }
        if (!MessageDigest.isEqual(spec.nonceRef(), Arrays.copyOfRange(in, off, off + NONCE_LENGTH))) {
            throw new AEADBadTagException("carried nonce does not match seq and session id");
        }
        gcm.updateAAD(spec.aadRef());
        return gcm.doFinal(in, off + NONCE_LENGTH, len - NONCE_LENGTH);
    }

    @Override
    protected int engineDoFinal(byte[] input, int off, int len, byte[] output, int outOff)
            throws ShortBufferException, IllegalBlockSizeException, BadPaddingException {
        byte[] result = engineDoFinal(input, off, len);
        if (output.length - outOff < result.length) {
            throw new ShortBufferException("need " + result.length + " bytes");
        }
        System.arraycopy(result, 0, output, outOff, result.length);
        return result.length;
    }

    /** Presents a USMP direction key as AES to the backing provider without copying it into a SecretKeySpec. */
    private static final class AesKey implements SecretKey {
        private static final long serialVersionUID = 1L;
        private final transient Key key;

        AesKey(Key key) {
            this.key = key;
        }

        @Override
        public String getAlgorithm() {
            return "AES";
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            return key.getEncoded();
        }
    }
}
