package io.usmp.protocol;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import javax.crypto.SecretKey;
import javax.crypto.spec.PBEParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.Destroyable;

/**
 * The fleet-scale layout of a device PSK key store (PKCS#12, or any type with secret-key entries),
 * built so a gateway can start without decrypting every device's entry and decrypt one per HELLO:
 * <ul>
 *   <li>{@value #PROTECTION_ALIAS}: a random 32-byte <em>entry key</em>, protected by the key store
 *       password with the store type's default (strong, slow) password-based encryption;</li>
 *   <li>one {@code SecretKeyEntry} per device (alias = device id in hex, as before), protected by
 *       the entry key written as 64 hex characters, with PBES2 (PBKDF2-HMAC-SHA256, AES-256) at
 *       {@value #ENTRY_ITERATIONS} iteration(s) and a random salt per entry;</li>
 *   <li>{@value #TIMING_ALIAS}: a decoy entry protected the same way, decrypted on every look-up of
 *       an unknown device so a miss costs what a hit costs.</li>
 * </ul>
 * Why one iteration is enough for the device entries: an iteration count only stretches a
 * <em>guessable</em> password. The entry password here is 256 random bits that exist only inside the
 * {@value #PROTECTION_ALIAS} entry, itself under the normal iteration count; guessing the store
 * password still costs a full-strength derivation per guess (and the PKCS#12 integrity MAC keeps its
 * default too), while guessing the entry key directly is a 2^256 search. So the file is as hard to
 * open as before, and reading one device's key costs microseconds instead of milliseconds.
 * <p>Stores written before this layout (every entry under the store password) still load, eagerly,
 * as before; {@link #open} converts them when an entry is written.
 */
public final class PskKeyStore {
    /** Alias of the entry key. Not a device id (not 12 hex digits), so resolvers skip it. */
    public static final String PROTECTION_ALIAS = "usmp-psk-entry-key";
    /** Alias of the decoy entry decrypted for unknown devices. */
    public static final String TIMING_ALIAS = "usmp-psk-timing-decoy";
    static final int ENTRY_ITERATIONS = 1;
    private static final String ENTRY_ALGORITHM = "PBEWithHmacSHA256AndAES_256";
    private static final int ENTRY_KEY_LENGTH = 32;

    private final KeyStore store;
    private final char[] entryPassword;
    private final SecureRandom random;

    private PskKeyStore(KeyStore store, char[] entryPassword, SecureRandom random) {
        this.store = store;
        this.entryPassword = entryPassword;
        this.random = random;
    }

    /** Whether {@code store} has the fleet-scale layout (else every entry is under the store password). */
    public static boolean hasEntryKey(KeyStore store) throws GeneralSecurityException {
        return store.containsAlias(PROTECTION_ALIAS) && store.entryInstanceOf(PROTECTION_ALIAS, KeyStore.SecretKeyEntry.class);
    }

    /**
     * A writer for {@code store} (loaded with {@code password}); gives a store without the layout an
     * entry key and decoy, and re-protects its existing device entries under the entry key (each
     * costs one slow decryption, once). Call {@link KeyStore#store} afterwards.
     */
    public static PskKeyStore open(KeyStore store, char[] password) throws GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        if (hasEntryKey(store)) {
            return new PskKeyStore(store, entryPassword(store, password), random);
        }
        byte[] key = new byte[ENTRY_KEY_LENGTH];
        random.nextBytes(key);
        SecretKeySpec entryKey = new SecretKeySpec(key, "AES");
        char[] entryPassword = hexChars(key);
        Arrays.fill(key, (byte) 0);
        PskKeyStore w = new PskKeyStore(store, entryPassword, random);
        KeyStore.PasswordProtection strong = new KeyStore.PasswordProtection(password);
        for (String alias : Collections.list(store.aliases())) {
            if (isDeviceAlias(alias) && store.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class)) {
                KeyStore.SecretKeyEntry e = (KeyStore.SecretKeyEntry) store.getEntry(alias, strong);
                byte[] psk = e.getSecretKey().getEncoded();
                try {
                    store.setEntry(alias, new KeyStore.SecretKeyEntry(new SecretKeySpec(psk, e.getSecretKey().getAlgorithm())),
                            w.protection());
                } finally {
                    Arrays.fill(psk, (byte) 0);
                }
            }
        }
        store.setEntry(PROTECTION_ALIAS, new KeyStore.SecretKeyEntry(entryKey), strong);
        byte[] decoy = new byte[32];
        random.nextBytes(decoy);
        store.setEntry(TIMING_ALIAS, new KeyStore.SecretKeyEntry(new SecretKeySpec(decoy, "AES")), w.protection());
        Arrays.fill(decoy, (byte) 0);
        return w;
    }

    /** Adds or replaces a device's PSK (refused if shorter than {@value Limits#MIN_PSK_LENGTH} bytes); returns whether it replaced one. */
    public boolean put(DeviceId device, byte[] psk) throws GeneralSecurityException {
        if (!Limits.isUsablePsk(psk)) {
            throw new IllegalArgumentException("PSK of " + device + " is shorter than " + Limits.MIN_PSK_LENGTH + " bytes");
        }
        boolean replaced = store.containsAlias(device.toHex());
        store.setEntry(device.toHex(), new KeyStore.SecretKeyEntry(new SecretKeySpec(psk, "AES")), protection());
        return replaced;
    }

    /** Wipes the entry password held by this writer. */
    public void wipe() {
        Arrays.fill(entryPassword, '\0');
    }

    private KeyStore.PasswordProtection protection() {
        return protection(entryPassword, random);
    }

    static KeyStore.PasswordProtection protection(char[] entryPassword, SecureRandom random) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return new KeyStore.PasswordProtection(entryPassword, ENTRY_ALGORITHM, new PBEParameterSpec(salt, ENTRY_ITERATIONS));
    }

    /** The entry password (64 hex characters) read from {@value #PROTECTION_ALIAS} with the store password. */
    static char[] entryPassword(KeyStore store, char[] password) throws GeneralSecurityException {
        KeyStore.Entry e = store.getEntry(PROTECTION_ALIAS, new KeyStore.PasswordProtection(password));
        if (!(e instanceof KeyStore.SecretKeyEntry se)) {
            throw new UnrecoverableKeyException(PROTECTION_ALIAS + " is not a secret key entry");
        }
        SecretKey k = se.getSecretKey();
        byte[] raw = k.getEncoded();
        try {
            if (raw == null || raw.length != ENTRY_KEY_LENGTH) {
                throw new UnrecoverableKeyException(PROTECTION_ALIAS + " is not a 32-byte key");
            }
            return hexChars(raw);
        } finally {
            if (raw != null) {
                Arrays.fill(raw, (byte) 0);
            }
            destroyQuietly(k);
        }
    }

    static boolean isDeviceAlias(String alias) {
        if (alias.length() != 2 * DeviceId.LENGTH) {
            return false;
        }
        for (int i = 0; i < alias.length(); i++) {
            if (Character.digit(alias.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    static void destroyQuietly(Object key) {
        if (key instanceof Destroyable d && WIPES_ON_DESTROY.get(d.getClass()) && !d.isDestroyed()) {
            try {
                d.destroy();
            } catch (javax.security.auth.DestroyFailedException | RuntimeException ignored) {
                // nothing more can be wiped; the key object goes with it
            }
        }
    }

    /**
     * Whether a key class implements {@code destroy} at all: {@code SecretKeySpec} on JDK 17 keeps
     * the interface's default, which only throws, and filling in that exception's stack trace cost
     * more than the decryption itself in an application server's deep stacks (a WildFly profile of a
     * reconnect storm: about 30 µs of the look-up).
     */
    private static final ClassValue<Boolean> WIPES_ON_DESTROY = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("destroy").getDeclaringClass() != Destroyable.class;
            } catch (NoSuchMethodException e) {
                return false;
            }
        }
    };

    private static char[] hexChars(byte[] b) {
        char[] out = new char[b.length * 2];
        HexFormat hex = HexFormat.of();
        for (int i = 0; i < b.length; i++) {
            out[2 * i] = hex.toHighHexDigit(b[i]);
            out[2 * i + 1] = hex.toLowHexDigit(b[i]);
        }
        return out;
    }
}
