package io.usmp.protocol;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.SecretKey;
import javax.security.auth.Destroyable;

/**
 * Device PSKs read lazily from a key store in the {@link PskKeyStore} layout: nothing is decrypted
 * at start but the entry key; a HELLO decrypts its device's entry (one PBES2 at one iteration, some
 * tens of microseconds) and a bounded LRU cache keeps the latest results.
 * <p>Timing: a look-up either hits the cache or decrypts exactly one entry, the device's or, for an
 * unknown device, the decoy; unknown ids are cached like known ones. So how long a look-up takes
 * depends on whether the id was asked for recently, never on whether it exists.
 */
final class KeyStorePskResolver implements PskResolver, Destroyable {
    static final int DEFAULT_CACHE_SIZE = 4096;
    private static final byte[] UNKNOWN = new byte[0];

    private final KeyStore store;
    private final char[] entryPassword;
    private final int cacheSize;
    private final Map<DeviceId, byte[]> cache;
    private volatile boolean destroyed;

    KeyStorePskResolver(KeyStore store, char[] password, int cacheSize) throws GeneralSecurityException {
        this.store = store;
        this.entryPassword = PskKeyStore.entryPassword(store, password);
        this.cacheSize = cacheSize;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<DeviceId, byte[]> eldest) {
                if (size() > KeyStorePskResolver.this.cacheSize) {
                    Arrays.fill(eldest.getValue(), (byte) 0);
                    return true;
                }
                return false;
            }
        };
        // Decrypt the decoy now: a wrong entry key fails here, at start, not on the first HELLO.
        readEntry(PskKeyStore.TIMING_ALIAS);
    }

    @Override
    public byte[] resolve(DeviceId device) {
        if (destroyed) {
            return null;
        }
        byte[] cached;
        synchronized (cache) {
            cached = cache.get(device);
        }
        if (cached == null) {
            String alias = device.toHex();
            boolean known = storeContainsDevice(alias);
            byte[] read;
            try {
                read = readEntry(known ? alias : PskKeyStore.TIMING_ALIAS);
            } catch (GeneralSecurityException | RuntimeException e) {
                read = null; // an unreadable entry refuses the device, as an unknown one
                known = false;
            }
            if (!known || read == null || !Limits.isUsablePsk(read)) {
                if (read != null) {
                    Arrays.fill(read, (byte) 0);
                }
                read = UNKNOWN;
            }
            cached = read;
            synchronized (cache) {
                if (!destroyed) {
                    cache.put(device, read);
                }
            }
        }
        return cached == UNKNOWN ? null : cached.clone();
    }

    private boolean storeContainsDevice(String alias) {
        try {
            return store.containsAlias(alias) && store.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * {@code getKey}, not {@code getEntry}: the PKCS#12 store's {@code getEntry} builds the entry's
     * attributes (an OID and hex formatting) and keeps them on the entry for good, some hundreds of
     * bytes per device ever looked up; reading needs no protection parameters either.
     */
    private byte[] readEntry(String alias) throws GeneralSecurityException {
        if (!(store.getKey(alias, entryPassword) instanceof SecretKey key)) {
            return null;
        }
        byte[] raw = key.getEncoded();
        PskKeyStore.destroyQuietly(key);
        return raw;
    }

    @Override
    public void destroy() {
        destroyed = true;
        synchronized (cache) {
            cache.values().forEach(k -> Arrays.fill(k, (byte) 0));
            cache.clear();
        }
        Arrays.fill(entryPassword, '\0');
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "PskResolver[key store, lazy, cache " + cacheSize + "]";
    }
}
