package io.usmp.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeystoreCommandTest {
    private static final String PASSWORD = "store-password";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) throws Exception {
        KeystoreCommand c = new KeystoreCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return c.run(new Arguments(args, 0, Set.of("--keystore", "--device-id", "--psk-file", "--new-psk-file"), Set.of()));
    }

    private PskResolver load(Path keystore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return PskResolver.fromKeyStore(ks, PASSWORD.toCharArray());
    }

    @Test
    void addsBinaryKeysThatTheGatewayResolvesAndGeneratesNewOnes() throws Exception {
        Path keystore = dir.resolve("devices.p12");
        byte[] binary = new byte[32];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (0xFF - i); // not ASCII: keytool -importpass could not store it
        }
        Path keyFile = PrivateFiles.write(dir.resolve("a.key"), binary);
        Map<String, String> env = Map.of(KeystoreCommand.PASSWORD_ENV, PASSWORD);
        assertEquals(0, run(env, "--keystore", keystore.toString(), "--device-id", "a1b2c3d4e5f6", "--psk-file", keyFile.toString()));
        Path newKey = dir.resolve("b.key");
        assertEquals(0, run(env, "--keystore", keystore.toString(), "--device-id", "0000000000b2", "--new-psk-file", newKey.toString()));

        PskResolver psks = load(keystore);
        assertArrayEquals(binary, psks.resolve(DeviceId.fromHex("a1b2c3d4e5f6")));
        byte[] generated = Files.readAllBytes(newKey);
        assertEquals(32, generated.length);
        assertArrayEquals(generated, psks.resolve(DeviceId.fromHex("0000000000b2")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(newKey)));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("ADDED a1b2c3d4e5f6"));
        assertFalse(out.toString(StandardCharsets.UTF_8).contains(PASSWORD));
    }

    @Test
    void replacingAKeyKeepsTheOthers() throws Exception {
        Path keystore = dir.resolve("devices.p12");
        Map<String, String> env = Map.of(KeystoreCommand.PASSWORD_ENV, PASSWORD);
        assertEquals(0, run(env, "--keystore", keystore.toString(), "--device-id", "000000000001", "--new-psk-file", dir.resolve("1").toString()));
        assertEquals(0, run(env, "--keystore", keystore.toString(), "--device-id", "000000000002", "--new-psk-file", dir.resolve("2").toString()));
        assertEquals(0, run(env, "--keystore", keystore.toString(), "--device-id", "000000000001", "--new-psk-file", dir.resolve("1b").toString()));
        PskResolver psks = load(keystore);
        assertArrayEquals(Files.readAllBytes(dir.resolve("1b")), psks.resolve(DeviceId.fromHex("000000000001")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("2")), psks.resolve(DeviceId.fromHex("000000000002")));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("REPLACED 000000000001"));
    }

    @Test
    void refusesWithoutPasswordOrWithAShortKeyAndNeverOverwritesAKeyFile() throws Exception {
        Path keystore = dir.resolve("devices.p12");
        assertThrows(Arguments.UsageException.class,
                () -> run(Map.of(), "--keystore", keystore.toString(), "--device-id", "a1b2c3d4e5f6", "--new-psk-file", dir.resolve("k").toString()));
        Path shortKey = PrivateFiles.write(dir.resolve("short.key"), new byte[15]);
        Map<String, String> env = Map.of(KeystoreCommand.PASSWORD_ENV, PASSWORD);
        assertThrows(Arguments.UsageException.class,
                () -> run(env, "--keystore", keystore.toString(), "--device-id", "a1b2c3d4e5f6", "--psk-file", shortKey.toString()));
        Path existing = Files.write(dir.resolve("existing.key"), new byte[] {1, 2, 3});
        assertEquals(1, run(env, "--keystore", keystore.toString(), "--device-id", "a1b2c3d4e5f6", "--new-psk-file", existing.toString()));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(existing));
        assertFalse(Files.exists(keystore), "nothing written on failure");
    }

    @Test
    void wrongPasswordForAnExistingKeystoreFailsClearly() throws Exception {
        Path keystore = dir.resolve("devices.p12");
        assertEquals(0, run(Map.of(KeystoreCommand.PASSWORD_ENV, PASSWORD), "--keystore", keystore.toString(),
                "--device-id", "a1b2c3d4e5f6", "--new-psk-file", dir.resolve("k").toString()));
        assertEquals(1, run(Map.of(KeystoreCommand.PASSWORD_ENV, "wrong-password"), "--keystore", keystore.toString(),
                "--device-id", "000000000002", "--new-psk-file", dir.resolve("k2").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("devices.p12"));
        assertFalse(Files.exists(dir.resolve("k2")), "no key file for a key the keystore did not take");
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("wrong-password"));
    }

    @Test
    void refusesAKeyFileThatOthersMayRead() throws Exception {
        Path keystore = dir.resolve("devices.p12");
        Path shared = Files.write(dir.resolve("shared.key"), new byte[32]);
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
        Map<String, String> env = Map.of(KeystoreCommand.PASSWORD_ENV, PASSWORD);
        Arguments.UsageException e = assertThrows(Arguments.UsageException.class,
                () -> run(env, "--keystore", keystore.toString(), "--device-id", "a1b2c3d4e5f6", "--psk-file", shared.toString()));
        assertTrue(e.getMessage().contains("readable by others"), e.getMessage());
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        assertFalse(Files.exists(keystore), "nothing written");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-------"));
        assertEquals(0, run(env, "--keystore", keystore.toString(), "--device-id", "a1b2c3d4e5f6", "--psk-file", shared.toString()));
    }

    @Test
    void aNewKeyFileExistsBeforeTheKeystoreHoldsItsKey() throws Exception {
        // The keystore path is a directory, so storing fails after the key file was created: the
        // file is then removed again, and no keystore ever holds a key that no file has.
        Path notAKeystore = Files.createDirectory(dir.resolve("dir.p12"));
        Map<String, String> env = Map.of(KeystoreCommand.PASSWORD_ENV, PASSWORD);
        Path newKey = dir.resolve("n.key");
        assertEquals(1, run(env, "--keystore", notAKeystore.toString(), "--device-id", "a1b2c3d4e5f6", "--new-psk-file",
                newKey.toString()));
        assertFalse(Files.exists(newKey), "the key file of a key no keystore took is removed");
    }

    private int runImport(Map<String, String> env, String... args) throws Exception {
        KeystoreCommand c = new KeystoreCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return c.runImport(new Arguments(args, 0, Set.of("--keystore", "--ids", "--psk-dir", "--new-psk-dir"), Set.of()));
    }

    @Test
    void importsManyDevicesInOneWriteAndKeepsEarlierOnes() throws Exception {
        Path keystore = dir.resolve("devices.p12");
        Map<String, String> env = Map.of(KeystoreCommand.PASSWORD_ENV, PASSWORD);
        assertEquals(0, run(env, "--keystore", keystore.toString(), "--device-id", "a1b2c3d4e5f6", "--new-psk-file",
                dir.resolve("single.key").toString()));
        StringBuilder ids = new StringBuilder("# fleet\n\n");
        for (int i = 1; i <= 50; i++) {
            ids.append(String.format("%012X", i)).append('\n');
        }
        ids.append("000000000001\n"); // listed twice: imported once
        Path idFile = Files.writeString(dir.resolve("ids.txt"), ids);
        Path newDir = dir.resolve("keys");
        assertEquals(0, runImport(env, "--keystore", keystore.toString(), "--ids", idFile.toString(), "--new-psk-dir", newDir.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("IMPORTED 50 devices (50 added, 0 replaced)"), out.toString());

        PskResolver psks = load(keystore);
        for (int i = 1; i <= 50; i++) {
            Path f = newDir.resolve(String.format("%012x", i) + KeystoreCommand.KEY_FILE_SUFFIX);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            assertArrayEquals(Files.readAllBytes(f), psks.resolve(DeviceId.fromHex(String.format("%012x", i))));
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("single.key")), psks.resolve(DeviceId.fromHex("a1b2c3d4e5f6")));

        // Again from the key files as they are: every device replaced by the same key.
        assertEquals(0, runImport(env, "--keystore", keystore.toString(), "--ids", idFile.toString(), "--psk-dir", newDir.toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("IMPORTED 50 devices (0 added, 50 replaced)"), out.toString());
        PskResolver again = load(keystore);
        assertArrayEquals(Files.readAllBytes(newDir.resolve("000000000032.key")), again.resolve(DeviceId.fromHex("000000000032")));
    }

    @Test
    void importRefusesBadIdsAndExistingKeyFilesAndWritesNothing() throws Exception {
        Path keystore = dir.resolve("devices.p12");
        Map<String, String> env = Map.of(KeystoreCommand.PASSWORD_ENV, PASSWORD);
        Path bad = Files.writeString(dir.resolve("bad.txt"), "000000000001\nnot-an-id\n");
        Arguments.UsageException e = assertThrows(Arguments.UsageException.class,
                () -> runImport(env, "--keystore", keystore.toString(), "--ids", bad.toString(), "--new-psk-dir", dir.resolve("k").toString()));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());

        Path keys = Files.createDirectory(dir.resolve("keys"));
        Path taken = Files.write(keys.resolve("000000000002.key"), new byte[] {1, 2, 3});
        Path ids = Files.writeString(dir.resolve("ids.txt"), "000000000001\n000000000002\n");
        assertEquals(1, runImport(env, "--keystore", keystore.toString(), "--ids", ids.toString(), "--new-psk-dir", keys.toString()));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(taken));
        assertFalse(Files.exists(keys.resolve("000000000001.key")), "keys generated by a failed import are removed");
        assertFalse(Files.exists(keystore), "nothing written on failure");
    }
}
