package io.usmp.handshake;

import io.usmp.crypto.UsmpCrypto;
import io.usmp.protocol.UsmpException;
import io.usmp.wire.Datagrams;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The gateway's stateless return-routability cookies of SPEC §5:
 * {@code HMAC-SHA256(server_secret, "<ip>:<port>:<floor(unix_s/30)>")[0..16)}. A cookie is valid
 * in the bucket it was made in and the next one. The secret is random per gateway instance and
 * never leaves this object; {@link #destroy()} wipes it.
 */
public final class ReturnRoutability {
    private static final int SECRET_LENGTH = 32;

    private final UsmpCrypto crypto;
    private final byte[] secret;

    public ReturnRoutability(UsmpCrypto crypto, SecureRandom random) {
        this(crypto, randomSecret(random));
    }

    /** With a given secret (copied); for tests and vectors. */
    public ReturnRoutability(UsmpCrypto crypto, byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("cookie secret must be at least 16 bytes");
        }
        this.crypto = crypto;
        this.secret = secret.clone();
    }

    private static byte[] randomSecret(SecureRandom random) {
        byte[] s = new byte[SECRET_LENGTH];
        random.nextBytes(s);
        return s;
    }

    /** The cookie for a source at a wall-clock time (Unix seconds). */
    public byte[] cookie(String ip, int port, long unixSeconds) throws UsmpException {
        return cookieForBucket(ip, port, Datagrams.cookieBucket(unixSeconds));
    }

    private byte[] cookieForBucket(String ip, int port, long bucket) throws UsmpException {
        return Arrays.copyOf(crypto.hmacSha256(secret, Datagrams.cookieInput(ip, port, bucket)), Datagrams.COOKIE_LENGTH);
    }

    /** True when {@code cookie} was made for this source in the current or the previous 30 s bucket. */
    public boolean verify(byte[] cookie, String ip, int port, long unixSeconds) throws UsmpException {
        if (cookie == null || cookie.length != Datagrams.COOKIE_LENGTH) {
            return false;
        }
        long bucket = Datagrams.cookieBucket(unixSeconds);
        // Both compared, constant time each, so timing does not say which bucket matched.
        boolean current = MessageDigest.isEqual(cookieForBucket(ip, port, bucket), cookie);
        boolean previous = MessageDigest.isEqual(cookieForBucket(ip, port, bucket - 1), cookie);
        return current | previous;
    }

    public void destroy() {
        Arrays.fill(secret, (byte) 0);
    }
}
