package io.usmp.crypto;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A raw symmetric key whose bytes this code owns and can wipe. {@link javax.crypto.spec.SecretKeySpec}
 * cannot be destroyed on JDK 17, so session keys and key-agreement output use this instead.
 */
public final class SessionKey implements SecretKey {
    private static final long serialVersionUID = 1L;

    private final String algorithm;
    private final byte[] key;
    private volatile boolean destroyed;

    /** Copies {@code len} bytes of {@code src} from {@code off}. */
    public SessionKey(String algorithm, byte[] src, int off, int len) {
        this.algorithm = algorithm;
        this.key = Arrays.copyOfRange(src, off, off + len);
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    /** A copy of the key bytes; providers wipe their copy after expanding the key. */
    @Override
    public byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("key destroyed");
        }
        return key.clone();
    }

    /** Overwrites the key bytes with zeros. */
    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "SessionKey[" + algorithm + ", " + key.length + " bytes" + (destroyed ? ", destroyed" : "") + "]";
    }
}
