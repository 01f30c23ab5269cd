package io.usmp.protocol;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Server-side lookup of a device's pre-shared key, consulted before HELLO is answered. The engine
 * wipes the returned array after use, so implementations return a fresh copy each time.
 */
@FunctionalInterface
public interface PskResolver {
    /**
     * A copy of the PSK of {@code device}, or {@code null} if the device is unknown. Called on the
     * I/O thread while a device waits (it gives up after 500 ms): implementations must not block.
     */
    byte[] resolve(DeviceId device);

    /** One key for every device (small fleets, tests). */
    static PskResolver shared(byte[] psk) {
        return new StaticPskResolver(Map.of(), checkedCopy(psk, "shared PSK"));
    }

    /** A fixed table of keys (copied). */
    static PskResolver of(Map<DeviceId, byte[]> psks) {
        Map<DeviceId, byte[]> copy = new HashMap<>();
        psks.forEach((id, key) -> copy.put(id, checkedCopy(key, "PSK of " + id)));
        return new StaticPskResolver(Collections.unmodifiableMap(copy), null);
    }

    /**
     * Keys from a PKCS#12 (or other) {@link KeyStore} holding one {@code SecretKeyEntry} per device,
     * alias = device id in hex. Aliases that are not device ids are skipped.
     * <p>A store in the {@link PskKeyStore} layout (written by {@code keystore-add} and
     * {@code keystore-import}) with at most {@value KeyStorePskResolver#DEFAULT_CACHE_SIZE} devices
     * is read whole here (some tens of microseconds per device); a larger one is read lazily: only
     * its entry key is decrypted here, each device's entry on its first HELLO, and the latest
     * {@value KeyStorePskResolver#DEFAULT_CACHE_SIZE} results are cached; either way a miss costs
     * what a hit costs (see {@link KeyStorePskResolver}). Any other
     * store is decrypted whole, here (PKCS#12 default entry protection costs milliseconds per entry).
     */
    static PskResolver fromKeyStore(KeyStore store, char[] password) throws GeneralSecurityException {
        return fromKeyStore(store, password, KeyStorePskResolver.DEFAULT_CACHE_SIZE);
    }

    /** {@link #fromKeyStore(KeyStore, char[])} with a given cache size (devices), which is also the largest fleet read whole. */
    static PskResolver fromKeyStore(KeyStore store, char[] password, int cacheSize) throws GeneralSecurityException {
        if (cacheSize < 1) {
            throw new IllegalArgumentException("cache size must be positive");
        }
        if (PskKeyStore.hasEntryKey(store)) {
            return new KeyStorePskResolver(store, password, cacheSize);
        }
        Map<DeviceId, byte[]> keys = new HashMap<>();
        KeyStore.ProtectionParameter protection = new KeyStore.PasswordProtection(password);
        for (String alias : Collections.list(store.aliases())) {
            if (!store.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class)) {
                continue;
            }
            DeviceId id;
            try {
                id = DeviceId.fromHex(alias);
            } catch (IllegalArgumentException notADevice) {
                continue;
            }
            KeyStore.SecretKeyEntry entry = (KeyStore.SecretKeyEntry) store.getEntry(alias, protection);
            keys.put(id, checkedCopy(entry.getSecretKey().getEncoded(), "PSK of " + id));
        }
        return new StaticPskResolver(Collections.unmodifiableMap(keys), null);
    }

    /**
     * A copy of {@code psk}, refused with {@link IllegalArgumentException} when shorter than
     * {@value Limits#MIN_PSK_LENGTH} bytes (SPEC §3); {@code what} names it in the message.
     */
    private static byte[] checkedCopy(byte[] psk, String what) {
        if (!Limits.isUsablePsk(psk)) {
            throw new IllegalArgumentException(what + " is shorter than " + Limits.MIN_PSK_LENGTH + " bytes");
        }
        return psk.clone();
    }
}
