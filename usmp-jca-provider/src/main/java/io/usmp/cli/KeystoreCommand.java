package io.usmp.cli;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code keystore-add}: puts a device's PSK into the PKCS#12 keystore the gateway and the resource
 * adapter read (one secret-key entry per device, alias = device id hex). Binary keys are stored
 * as they are, which {@code keytool -importpass} cannot do.
 */
final class KeystoreCommand {
    static final String PASSWORD_ENV = "USMP_KEYSTORE_PASSWORD";
    private static final int NEW_PSK_LENGTH = 32;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    KeystoreCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int run(Arguments a) throws Arguments.UsageException {
        Path keystore = Path.of(a.required("--keystore"));
        DeviceId device = a.deviceId();
        boolean existing = a.has("--psk-file");
        if (existing == a.has("--new-psk-file")) {
            throw new Arguments.UsageException("give exactly one of --psk-file PATH or --new-psk-file PATH");
        }
        String password = env.get(PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            throw new Arguments.UsageException("set the keystore password in the environment variable " + PASSWORD_ENV);
        }
        Path newPskFile = existing ? null : Path.of(a.required("--new-psk-file"));
        byte[] psk = existing ? a.psk() : null;
        char[] pass = password.toCharArray();
        boolean added = false;
        try {
            if (psk == null) {
                psk = new byte[NEW_PSK_LENGTH];
                new SecureRandom().nextBytes(psk);
                // The key file first, created exclusively: the keystore never holds a key nobody has.
                try {
                    writePrivately(newPskFile, psk);
                } catch (FileAlreadyExistsException e) {
                    err.println("error: " + newPskFile + " exists; a PSK file is never overwritten");
                    newPskFile = null;
                    return 1;
                }
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            if (Files.exists(keystore)) {
                try (InputStream in = Files.newInputStream(keystore)) {
                    ks.load(in, pass);
                }
            } else {
                ks.load(null, pass);
            }
            boolean replaced = ks.containsAlias(device.toHex());
            ks.setEntry(device.toHex(), new KeyStore.SecretKeyEntry(new SecretKeySpec(psk, "AES")),
                    new KeyStore.PasswordProtection(pass));
            storeAtomically(ks, keystore, pass);
            // Read back the way the gateway will, so a bad entry shows up here and not at deployment.
            try (InputStream in = Files.newInputStream(keystore)) {
                KeyStore check = KeyStore.getInstance("PKCS12");
                check.load(in, pass);
                byte[] stored = PskResolver.fromKeyStore(check, pass).resolve(device);
                if (!Arrays.equals(stored, psk)) {
                    err.println("error: the key read back from " + keystore + " differs");
                    return 1;
                }
            }
            added = true;
            out.println((replaced ? "REPLACED " : "ADDED ") + device.toHex() + " " + keystore);
            return 0;
        } catch (IOException | GeneralSecurityException e) {
            err.println("error: " + keystore + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        } finally {
            if (psk != null) {
                Arrays.fill(psk, (byte) 0);
            }
            Arrays.fill(pass, '\0');
            if (!added && newPskFile != null) {
                deleteQuietly(newPskFile);
            }
        }
    }

    /** Writes the keystore beside its target and moves it there: a failure never leaves half a keystore. */
    static void storeAtomically(KeyStore ks, Path keystore, char[] password) throws IOException, GeneralSecurityException {
        Path tmp = Files.createTempFile(keystore.toAbsolutePath().getParent(), ".usmp-keystore", ".tmp");
        try (OutputStream o = Files.newOutputStream(tmp)) {
            ks.store(o, password);
        }
        Files.move(tmp, keystore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            err.println("error: could not remove " + file + " (its key is in no keystore): " + e.getMessage());
        }
    }

    /**
     * Creates a new PSK file, failing if it exists, readable by its owner only (where the file
     * system supports it), and writes the key to disk.
     */
    private static void writePrivately(Path file, byte[] psk) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(psk));
            ch.force(true);
        }
    }
}
