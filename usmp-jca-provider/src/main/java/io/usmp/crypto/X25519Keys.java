package io.usmp.crypto;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Conversions between the raw 32-byte X25519 keys on the wire and JCA keys. The fixed DER prefixes
 * (RFC 8410) work with every provider, SunEC and Bouncy Castle alike.
 */
public final class X25519Keys {
    public static final int KEY_LENGTH = 32;

    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00};
    private static final byte[] PKCS8_PREFIX = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20};

    private X25519Keys() {
    }

    /** The raw public key: the last 32 bytes of its X.509 encoding. */
    public static byte[] rawPublic(PublicKey key) {
        byte[] enc = key.getEncoded();
        if (enc.length != SPKI_PREFIX.length + KEY_LENGTH) {
            throw new IllegalArgumentException("not an X25519 public key");
        }
        return Arrays.copyOfRange(enc, SPKI_PREFIX.length, enc.length);
    }

    static PublicKey publicKey(KeyFactory kf, byte[] raw) throws GeneralSecurityException {
        return kf.generatePublic(new X509EncodedKeySpec(concat(SPKI_PREFIX, raw)));
    }

    static PrivateKey privateKey(KeyFactory kf, byte[] raw) throws GeneralSecurityException {
        byte[] der = concat(PKCS8_PREFIX, raw);
        try {
            return kf.generatePrivate(new PKCS8EncodedKeySpec(der));
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    private static byte[] concat(byte[] prefix, byte[] raw) {
        if (raw.length != KEY_LENGTH) {
            throw new IllegalArgumentException("an X25519 key is 32 bytes");
        }
        byte[] out = Arrays.copyOf(prefix, prefix.length + KEY_LENGTH);
        System.arraycopy(raw, 0, out, prefix.length, KEY_LENGTH);
        return out;
    }
}
