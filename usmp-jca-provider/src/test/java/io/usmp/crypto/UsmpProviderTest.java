package io.usmp.crypto;

import io.usmp.testing.Frames;
import io.usmp.handshake.FrameCipher;
import static io.usmp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.testing.FixedKeys;
import io.usmp.testing.Vectors;
import io.usmp.wire.PacketType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.ServiceLoader;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The JCA face of the suite: discovery, standard engine classes, configuration, key hygiene, PSK sources. */
class UsmpProviderTest {
    private static final JsonNode V = Vectors.derived();
    private static final JsonNode IN = V.get("inputs");
    private static final char[] PASSWORD = "changeit".toCharArray();

    private static Provider discovered() {
        for (Provider p : ServiceLoader.load(Provider.class)) {
            if (UsmpProvider.NAME.equals(p.getName())) {
                return p;
            }
        }
        return null;
    }

    @Test
    void discoverableThroughServiceLoader() {
        Provider p = discovered();
        assertNotNull(p, "META-INF/services/java.security.Provider lists the USMP provider");
        assertEquals("USMP", p.getName());
        assertInstanceOf(UsmpProvider.class, p);
        assertNotNull(p.getService("KeyAgreement", "USMP"));
        assertNotNull(p.getService("Cipher", "USMP"));
        assertNotNull(p.getService("KeyPairGenerator", "USMP"));
        assertNull(Security.getProvider("USMP"), "discovery does not install it JVM-wide");
    }

    @Test
    void keyAgreementThroughStandardGetInstanceReproducesTheDerivedVectors() throws Exception {
        Provider p = discovered();
        assertNotNull(p);
        UsmpCrypto crypto = UsmpCrypto.of((UsmpProvider) p);
        KeyPair client = FixedKeys.of(crypto, hex(IN.get("client_x25519_private"))).next();
        KeyPair server = FixedKeys.of(crypto, hex(IN.get("server_x25519_private"))).next();
        byte[] pubC = hex(V.get("pub_c"));
        byte[] pubS = hex(V.get("pub_s"));
        UsmpKeyAgreementSpec spec = new UsmpKeyAgreementSpec(hex(IN.get("challenge_nonce")), pubC, pubS);

        KeyAgreement c = KeyAgreement.getInstance("USMP", p);
        assertEquals(p, c.getProvider());
        c.init(client.getPrivate(), spec);
        c.doPhase(server.getPublic(), true);
        SecretKey okm = c.generateSecret("USMP");
        assertEquals("USMP", okm.getAlgorithm());
        assertArrayEquals(hex(V.get("hkdf").get("okm")), okm.getEncoded());

        KeyAgreement s = KeyAgreement.getInstance("USMP", p);
        s.init(server.getPrivate(), spec);
        s.doPhase(client.getPublic(), true);
        assertArrayEquals(hex(V.get("hkdf").get("okm")), s.generateSecret());
    }

    @Test
    void keyAgreementRefusesWithoutItsSpecAndOtherSecretAlgorithms() throws Exception {
        KeyAgreement ka = KeyAgreement.getInstance("USMP", new UsmpProvider());
        KeyPair kp = UsmpCrypto.defaults().generateKeyPair(new SecureRandom());
        assertThrows(java.security.InvalidKeyException.class, () -> ka.init(kp.getPrivate()));
        ka.init(kp.getPrivate(), new UsmpKeyAgreementSpec(new byte[32], new byte[32], new byte[32]));
        ka.doPhase(UsmpCrypto.defaults().generateKeyPair(new SecureRandom()).getPublic(), true);
        assertThrows(java.security.NoSuchAlgorithmException.class, () -> ka.generateSecret("AES"));
    }

    @Test
    void cipherThroughStandardGetInstanceSealsAndOpens() throws Exception {
        Provider p = discovered();
        assertNotNull(p);
        byte[] sid = hex(IN.get("session_id"));
        SessionKey key = new SessionKey("AES", hex(V.get("k_c2s")), 0, 32);
        Cipher enc = Cipher.getInstance("USMP", p);
        enc.init(Cipher.ENCRYPT_MODE, key, Frames.cipherSpec(sid, PacketType.DATA, 0, 33));
        byte[] payload = enc.doFinal("hello".getBytes());
        assertArrayEquals(Arrays.copyOfRange(hex(V.get("frames").get("DATA_c2s_seq0_hello")), 12, 12 + 33), payload,
                "the derived vectors' DATA frame payload");
        Cipher dec = Cipher.getInstance("USMP", p);
        dec.init(Cipher.DECRYPT_MODE, key, Frames.cipherSpec(sid, PacketType.DATA, 0, 33));
        assertArrayEquals("hello".getBytes(), dec.doFinal(payload));
    }

    @Test
    void cipherDecryptWithAWrongCarriedNonceThrowsAeadBadTag() throws Exception {
        byte[] sid = new byte[16];
        new SecureRandom().nextBytes(sid);
        SessionKey key = new SessionKey("AES", new byte[32], 0, 32);
        Cipher c = Cipher.getInstance("USMP", new UsmpProvider());
        c.init(Cipher.ENCRYPT_MODE, key, Frames.cipherSpec(sid, PacketType.DATA, 5, 31));
        byte[] payload = c.doFinal(new byte[] {1, 2, 3});

        for (int i = 0; i < 12; i++) {
            byte[] bad = payload.clone();
            bad[i] ^= 0x01;
            c.init(Cipher.DECRYPT_MODE, key, Frames.cipherSpec(sid, PacketType.DATA, 5, 31));
            assertThrows(AEADBadTagException.class, () -> c.doFinal(bad), "nonce byte " + i);
        }
        // a correct payload presented for another seq: carried nonce differs from the rebuilt one
        c.init(Cipher.DECRYPT_MODE, key, Frames.cipherSpec(sid, PacketType.DATA, 6, 31));
        assertThrows(AEADBadTagException.class, () -> c.doFinal(payload));
        // and the intact payload still opens
        c.init(Cipher.DECRYPT_MODE, key, Frames.cipherSpec(sid, PacketType.DATA, 5, 31));
        assertArrayEquals(new byte[] {1, 2, 3}, c.doFinal(payload));
        // a different packet type changes the AAD
        c.init(Cipher.DECRYPT_MODE, key, Frames.cipherSpec(sid, PacketType.DATA_FRAG, 5, 31));
        assertThrows(AEADBadTagException.class, () -> c.doFinal(payload));
    }

    @Test
    void configuredWithSunEcStillReproducesTheDerivedOkm() throws Exception {
        Provider configured = new UsmpProvider().configure("x25519=SunEC");
        UsmpProvider usmp = assertInstanceOf(UsmpProvider.class, configured);
        assertTrue(usmp.backingConfiguration().contains("x25519=SunEC"), usmp.backingConfiguration());
        UsmpCrypto crypto = UsmpCrypto.of(usmp);

        PrivateKey clientPriv = crypto.privateKeyFromRaw(hex(IN.get("client_x25519_private")));
        assertTrue(clientPriv.getClass().getName().startsWith("sun.security"), "SunEC backs it: " + clientPriv.getClass());
        KeyFactory sunEc = KeyFactory.getInstance("X25519", "SunEC");
        PublicKey serverPub = X25519Keys.publicKey(sunEc, hex(V.get("pub_s")));
        UsmpKeyAgreementSpec spec = new UsmpKeyAgreementSpec(hex(IN.get("challenge_nonce")), hex(V.get("pub_c")),
                hex(V.get("pub_s")));

        KeyAgreement ka = KeyAgreement.getInstance("USMP", usmp);
        ka.init(clientPriv, spec);
        ka.doPhase(serverPub, true);
        assertArrayEquals(hex(V.get("hkdf").get("okm")), ka.generateSecret());

        PrivateKey serverPriv = crypto.privateKeyFromRaw(hex(IN.get("server_x25519_private")));
        assertArrayEquals(hex(V.get("hkdf").get("okm")), crypto.deriveSessionKeys(serverPriv, hex(V.get("pub_c")), spec));
        // SunEC refuses a small-order peer key too
        assertThrows(io.usmp.protocol.HandshakeException.class, () -> crypto.deriveSessionKeys(serverPriv, new byte[32], spec));
    }

    @Test
    void configureFailsClearlyOnUnknownKeysAndProviders() {
        UsmpProvider p = new UsmpProvider();
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class, () -> p.configure("cipher=BC"));
        assertTrue(key.getMessage().contains("cipher"), key.getMessage());
        IllegalArgumentException provider = assertThrows(IllegalArgumentException.class,
                () -> p.configure("x25519=NoSuchProvider"));
        assertTrue(provider.getMessage().contains("NoSuchProvider"), provider.getMessage());
        IllegalArgumentException aead = assertThrows(IllegalArgumentException.class, () -> p.configure("aead=Nope"));
        assertTrue(aead.getMessage().contains("Nope"), aead.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.configure("x25519"));
        // defaults and explicit defaults are fine
        assertEquals("x25519=BC,aead=default,hmac=default", p.backingConfiguration());
        assertEquals("x25519=BC,aead=SunJCE,hmac=default",
                ((UsmpProvider) p.configure("aead=SunJCE")).backingConfiguration());
    }

    @Test
    void sessionKeyToStringNeverShowsTheKeyAndDestroyZeroesIt() throws Exception {
        byte[] raw = new byte[32];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (0xA0 + i);
        }
        SessionKey key = new SessionKey("AES", raw, 0, 32);
        String s = key.toString();
        String hexKey = HexFormat.of().formatHex(raw);
        assertFalse(s.toLowerCase().contains(hexKey.substring(0, 8)), s);
        assertFalse(s.contains(Base64.getEncoder().encodeToString(raw).substring(0, 8)), s);
        assertFalse(s.contains(String.valueOf(raw[0])), s);
        assertTrue(s.contains("AES") && s.contains("32"), s);

        Field field = SessionKey.class.getDeclaredField("key");
        field.setAccessible(true);
        byte[] internal = (byte[]) field.get(key);
        assertArrayEquals(raw, internal);
        assertNotEquals(internal, raw, "a copy, not the caller's array");

        key.destroy();
        assertTrue(key.isDestroyed());
        assertArrayEquals(new byte[32], internal, "key bytes overwritten with zeros");
        assertThrows(IllegalStateException.class, key::getEncoded);
        assertFalse(key.toString().toLowerCase().contains(hexKey.substring(0, 8)));
        assertTrue(raw[0] != 0, "the caller's array is not touched");
    }

    @Test
    void frameCipherDestroyWipesItsKey() throws Exception {
        FrameCipher fc = FrameCipher.create(UsmpCrypto.defaults(), new byte[64], 32, new byte[16]);
        assertFalse(fc.isDestroyed());
        fc.destroy();
        assertTrue(fc.isDestroyed());
        assertThrows(io.usmp.protocol.UsmpException.class, () -> fc.seal(PacketType.DATA, 0, new byte[1], 0, 1));
    }

    // ---------------------------------------------------------------- PSK resolvers

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    private static KeyStore reloaded(KeyStore ks) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ks.store(out, PASSWORD);
        KeyStore again = KeyStore.getInstance("PKCS12");
        again.load(new ByteArrayInputStream(out.toByteArray()), PASSWORD);
        return again;
    }

    private static void put(KeyStore ks, String alias, byte[] key, String algorithm) throws Exception {
        ks.setEntry(alias, new KeyStore.SecretKeyEntry(new SecretKeySpec(key, algorithm)),
                new KeyStore.PasswordProtection(PASSWORD));
    }

    @Test
    void pskResolverFromPkcs12() throws Exception {
        DeviceId a = DeviceId.fromHex("a1b2c3d4e5f6");
        DeviceId b = DeviceId.fromHex("0000000000ff");
        DeviceId c = DeviceId.fromHex("abcdefabcdef");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        put(ks, a.toHex(), bytes(32, 1), "HmacSHA256");
        put(ks, b.toHex(), bytes(16, 100), "AES");
        put(ks, "ABCDEFABCDEF", bytes(24, 50), "HmacSHA256"); // either case
        put(ks, "gateway-admin", bytes(4, 9), "HmacSHA256"); // not a device: skipped, even though short
        put(ks, "a1b2c3", bytes(32, 7), "HmacSHA256"); // hex, but not six bytes
        KeyStore store = reloaded(ks);

        PskResolver r = PskResolver.fromKeyStore(store, PASSWORD);
        assertArrayEquals(bytes(32, 1), r.resolve(a));
        assertArrayEquals(bytes(16, 100), r.resolve(b));
        assertArrayEquals(bytes(24, 50), r.resolve(c));
        assertNull(r.resolve(DeviceId.fromHex("000000000000")));
        assertNull(r.resolve(DeviceId.fromHex("a1b2c3000000")));

        byte[] first = r.resolve(a);
        Arrays.fill(first, (byte) 0);
        assertArrayEquals(bytes(32, 1), r.resolve(a), "each call returns a fresh copy (the engine wipes it)");
        assertFalse(r.toString().contains(HexFormat.of().formatHex(bytes(32, 1), 0, 4)), r.toString());
    }

    @Test
    void pskResolverFromKeyStoreRejectsAShortDeviceKey() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        put(ks, "a1b2c3d4e5f6", bytes(32, 1), "HmacSHA256");
        put(ks, "a1b2c3d4e5f7", bytes(15, 1), "HmacSHA256");
        KeyStore store = reloaded(ks);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PskResolver.fromKeyStore(store, PASSWORD));
        assertTrue(e.getMessage().contains("a1b2c3d4e5f7"), e.getMessage());
        assertFalse(e.getMessage().contains(HexFormat.of().formatHex(bytes(15, 1))), "no key bytes in the message");
    }

    @Test
    void pskResolverFromKeyStoreWithTheWrongPasswordFails() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        put(ks, "a1b2c3d4e5f6", bytes(32, 1), "HmacSHA256");
        KeyStore store = reloaded(ks);
        assertThrows(java.security.GeneralSecurityException.class,
                () -> PskResolver.fromKeyStore(store, "wrong".toCharArray()));
    }

    @Test
    void sharedAndOfRejectShortKeys() {
        DeviceId a = DeviceId.fromHex("a1b2c3d4e5f6");
        assertThrows(IllegalArgumentException.class, () -> PskResolver.shared(new byte[15]));
        assertThrows(IllegalArgumentException.class, () -> PskResolver.shared(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> PskResolver.shared(null));
        assertThrows(IllegalArgumentException.class, () -> PskResolver.of(Map.of(a, new byte[15])));
        assertThrows(IllegalArgumentException.class,
                () -> PskResolver.of(Map.of(a, new byte[32], DeviceId.fromHex("000000000001"), new byte[8])));

        byte[] key = bytes(16, 3);
        PskResolver shared = PskResolver.shared(key);
        assertArrayEquals(key, shared.resolve(a));
        assertArrayEquals(key, shared.resolve(DeviceId.fromHex("000000000001")));
        PskResolver table = PskResolver.of(Map.of(a, key));
        key[0] = 99; // copied at construction
        assertArrayEquals(bytes(16, 3), table.resolve(a));
        assertNull(table.resolve(DeviceId.fromHex("000000000001")));
    }
}
