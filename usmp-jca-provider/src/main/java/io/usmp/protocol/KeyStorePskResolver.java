package io.usmp.protocol;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.SecretKey;
import javax.security.auth.Destroyable;

/**
 * Device PSKs from a key store in the {@link PskKeyStore} layout. A fleet that fits in the cache is
 * read whole at start (one PBES2 at one iteration per device, some tens of microseconds each), so a
 * fleet reconnecting after a restart decrypts nothing on the I/O threads. A larger fleet is read
 * lazily: nothing is decrypted at start but the entry key; a HELLO decrypts its device's entry and a
 * bounded LRU cache keeps the latest results.
 * <p>Timing: read whole, every look-up is one map look-up, known or unknown. Read lazily, a look-up
 * either hits the cache or decrypts exactly one entry, the device's or, for an unknown device, the
 * decoy; unknown ids are cached like known ones. So how long a look-up takes depends on whether the
 * id was asked for recently, never on whether it exists.
 */
final class KeyStorePskResolver implements PskResolver, Destroyable {
    static final int DEFAULT_CACHE_SIZE = 4096;
    private static final byte[] UNKNOWN = new byte[0];

    private final KeyStore store;
    private final char[] entryPassword;
    private final int cacheSize;
    private final Map<DeviceId, byte[]> cache;
    /** Every device's key when the fleet fits in the cache (then {@link #cache} stays empty), else null. */
    private final Map<DeviceId, byte[]> whole;
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
        this.whole = readWhole(store, cacheSize);
    }

    /** All device keys if there are at most {@code limit} device entries, else null (an unreadable entry is left out, as an unknown device). */
    private Map<DeviceId, byte[]> readWhole(KeyStore store, int limit) throws GeneralSecurityException {
        List<String> devices = new ArrayList<>();
        for (Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements();) {
            String alias = aliases.nextElement();
            if (PskKeyStore.isDeviceAlias(alias) && storeContainsDevice(alias)) {
                if (devices.size() == limit) {
                    return null;
                }
                devices.add(alias);
            }
        }
        Map<DeviceId, byte[]> keys = new HashMap<>();
        for (String alias : devices) {
            byte[] key = usable(alias);
            if (key != UNKNOWN) {
                keys.put(DeviceId.fromHex(alias), key);
            }
        }
        return keys;
    }

    @Override
    public byte[] resolve(DeviceId device) {
        if (destroyed) {
            return null;
        }
        if (whole != null) {
            byte[] key = whole.get(device);
            return key == null ? null : key.clone();
        }
        byte[] cached;
        synchronized (cache) {
            cached = cache.get(device);
        }
        if (cached == null) {
            String alias = device.toHex();
            boolean known = storeContainsDevice(alias);
            cached = usable(known ? alias : PskKeyStore.TIMING_ALIAS);
            if (!known && cached != UNKNOWN) {
                Arrays.fill(cached, (byte) 0);
                cached = UNKNOWN;
            }
            synchronized (cache) {
                if (!destroyed) {
                    cache.put(device, cached);
                }
            }
        }
        return cached == UNKNOWN ? null : cached.clone();
    }

    /** The key of entry {@code alias}, or {@link #UNKNOWN} if it cannot be read or is too short to use. */
    private byte[] usable(String alias) {
        byte[] read;
        try {
            read = readEntry(alias);
        } catch (GeneralSecurityException | RuntimeException e) {
            return UNKNOWN; // an unreadable entry refuses the device, as an unknown one
        }
        if (read == null || !Limits.isUsablePsk(read)) {
            if (read != null) {
                Arrays.fill(read, (byte) 0);
            }
            return UNKNOWN;
        }
        return read;
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
        if (whole != null) {
            whole.values().forEach(k -> Arrays.fill(k, (byte) 0));
        }
        Arrays.fill(entryPassword, '\0');
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return whole != null ? "PskResolver[key store, read whole at start, " + whole.size() + " devices]"
                : "PskResolver[key store, lazy, cache " + cacheSize + "]";
    }
}
