package io.usmp.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.Destroyable;
import org.junit.jupiter.api.Test;

class PskKeyStoreTest {
    private static final char[] PASSWORD = "store-password".toCharArray();

    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (seed * 7 + i);
        }
        return k;
    }

    private static DeviceId id(int n) {
        return DeviceId.fromHex(String.format("%012x", n));
    }

    private static KeyStore reloaded(KeyStore ks) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ks.store(out, PASSWORD);
        KeyStore r = KeyStore.getInstance("PKCS12");
        r.load(new ByteArrayInputStream(out.toByteArray()), PASSWORD);
        return r;
    }

    private static KeyStore fleet(int n) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, PASSWORD);
        PskKeyStore w = PskKeyStore.open(ks, PASSWORD);
        for (int i = 1; i <= n; i++) {
            assertFalse(w.put(id(i), key(i)));
        }
        w.wipe();
        return reloaded(ks);
    }

    @Test
    void resolvesLazilyFromTheEntryKeyLayout() throws Exception {
        KeyStore store = fleet(20);
        assertTrue(PskKeyStore.hasEntryKey(store));
        PskResolver r = PskResolver.fromKeyStore(store, PASSWORD, 19);
        assertTrue(r.toString().contains("lazy"), r.toString());
        for (int i = 1; i <= 20; i++) {
            assertArrayEquals(key(i), r.resolve(id(i)));
        }
        assertNull(r.resolve(id(21)));
        assertNull(r.resolve(id(21)), "a cached miss stays a miss");
        byte[] first = r.resolve(id(3));
        Arrays.fill(first, (byte) 0);
        assertArrayEquals(key(3), r.resolve(id(3)), "each call returns a fresh copy (the engine wipes it)");
        ((Destroyable) r).destroy();
        assertNull(r.resolve(id(3)));
    }

    @Test
    void aFleetThatFitsTheCacheIsReadWholeAtStart() throws Exception {
        KeyStore store = fleet(20);
        PskResolver whole = PskResolver.fromKeyStore(store, PASSWORD, 20);
        PskResolver lazy = PskResolver.fromKeyStore(store, PASSWORD, 19);
        assertEquals("PskResolver[key store, read whole at start, 20 devices]", whole.toString());
        for (int i = 1; i <= 20; i++) {
            store.deleteEntry(id(i).toHex());
        }
        // Entries gone from the store after start: only what was read at start still resolves.
        for (int i = 1; i <= 20; i++) {
            assertArrayEquals(key(i), whole.resolve(id(i)), "device " + i);
            assertNull(lazy.resolve(id(i)), "device " + i);
        }
        assertNull(whole.resolve(id(21)));
        byte[] first = whole.resolve(id(3));
        Arrays.fill(first, (byte) 0);
        assertArrayEquals(key(3), whole.resolve(id(3)), "each call returns a fresh copy (the engine wipes it)");
        ((Destroyable) whole).destroy();
        assertNull(whole.resolve(id(3)));
    }

    @Test
    void destroyingAKeyDestroysWhatCanBeDestroyedAndSkipsWhatCannot() {
        class WipingKey extends SecretKeySpec {
            private static final long serialVersionUID = 1L;
            boolean destroyed;

            WipingKey() {
                super(key(1), "AES");
            }

            @Override
            public void destroy() {
                destroyed = true;
            }

            @Override
            public boolean isDestroyed() {
                return destroyed;
            }
        }
        WipingKey wiping = new WipingKey();
        PskKeyStore.destroyQuietly(wiping);
        assertTrue(wiping.isDestroyed());
        PskKeyStore.destroyQuietly(new SecretKeySpec(key(2), "AES")); // JDK 17: the throwing default, skipped
    }

    @Test
    void aSmallCacheEvictsAndReadsAgain() throws Exception {
        KeyStore store = fleet(5);
        PskResolver r = PskResolver.fromKeyStore(store, PASSWORD, 2);
        for (int round = 0; round < 3; round++) {
            for (int i = 1; i <= 6; i++) {
                byte[] k = r.resolve(id(i));
                if (i <= 5) {
                    assertArrayEquals(key(i), k, "device " + i);
                } else {
                    assertNull(k);
                }
            }
        }
    }

    @Test
    void theWrongPasswordFailsAtStart() throws Exception {
        KeyStore store = fleet(2);
        assertThrows(GeneralSecurityException.class, () -> PskResolver.fromKeyStore(store, "wrong".toCharArray()));
    }

    @Test
    void openingALegacyStoreReprotectsItsEntries() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, PASSWORD);
        ks.setEntry(id(1).toHex(), new KeyStore.SecretKeyEntry(new SecretKeySpec(key(1), "AES")),
                new KeyStore.PasswordProtection(PASSWORD));
        ks.setEntry("gateway-admin", new KeyStore.SecretKeyEntry(new SecretKeySpec(key(9), "AES")),
                new KeyStore.PasswordProtection(PASSWORD));
        KeyStore legacy = reloaded(ks);
        assertFalse(PskKeyStore.hasEntryKey(legacy));
        assertFalse(PskResolver.fromKeyStore(legacy, PASSWORD).toString().contains("lazy"), "legacy stores load eagerly");

        PskKeyStore w = PskKeyStore.open(legacy, PASSWORD);
        assertTrue(w.put(id(1), key(11)), "replaces");
        assertFalse(w.put(id(2), key(2)));
        w.wipe();
        KeyStore upgraded = reloaded(legacy);
        PskResolver r = PskResolver.fromKeyStore(upgraded, PASSWORD);
        assertArrayEquals(key(11), r.resolve(id(1)));
        assertArrayEquals(key(2), r.resolve(id(2)));
        assertEquals(5, upgraded.size(), "two devices, the other entry, the entry key and the decoy");
    }

    @Test
    void shortKeysAreRefusedWhenWritten() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, PASSWORD);
        PskKeyStore w = PskKeyStore.open(ks, PASSWORD);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.put(id(1), new byte[15]));
        assertTrue(e.getMessage().contains(id(1).toHex()), e.getMessage());
    }
}
