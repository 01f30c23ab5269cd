package io.usmp.cli;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.Limits;
import io.usmp.protocol.PskKeyStore;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code keystore-add}: puts a device's PSK into the PKCS#12 keystore the gateway and the resource
 * adapter read (one secret-key entry per device, alias = device id hex). Binary keys are stored
 * as they are, which {@code keytool -importpass} cannot do.
 */
final class KeystoreCommand {
    static final String PASSWORD_ENV = "USMP_KEYSTORE_PASSWORD";
    private static final int NEW_PSK_LENGTH = 32;
    /** File name of a device's key in --psk-dir / --new-psk-dir: the device id in hex plus this. */
    static final String KEY_FILE_SUFFIX = ".key";

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
            KeyStore ks = load(keystore, pass);
            PskKeyStore writer = PskKeyStore.open(ks, pass);
            boolean replaced;
            try {
                replaced = writer.put(device, psk);
            } finally {
                writer.wipe();
            }
            save(ks, keystore, pass);
            // Read back the way the gateway will, so a bad entry shows up here and not at deployment.
            if (!readsBack(keystore, pass, Map.of(device, psk))) {
                return 1;
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

    /**
     * {@code keystore-import}: adds or replaces the PSKs of every device listed in {@code --ids}
     * (one id in hex per line; blank lines and lines starting with # are skipped), reading each
     * key from {@code --psk-dir}/ID.key or generating it into {@code --new-psk-dir}/ID.key, and
     * writes the key store once.
     */
    int runImport(Arguments a) throws Arguments.UsageException {
        Path keystore = Path.of(a.required("--keystore"));
        Path idsFile = Path.of(a.required("--ids"));
        boolean existing = a.has("--psk-dir");
        if (existing == a.has("--new-psk-dir")) {
            throw new Arguments.UsageException("give exactly one of --psk-dir DIR or --new-psk-dir DIR");
        }
        Path dir = Path.of(a.required(existing ? "--psk-dir" : "--new-psk-dir"));
        String password = env.get(PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            throw new Arguments.UsageException("set the keystore password in the environment variable " + PASSWORD_ENV);
        }
        List<DeviceId> ids = readIds(idsFile);
        char[] pass = password.toCharArray();
        List<Path> created = new ArrayList<>();
        boolean done = false;
        SecureRandom random = new SecureRandom();
        Map<DeviceId, byte[]> samples = new HashMap<>();
        try {
            if (!existing) {
                Files.createDirectories(dir);
            }
            KeyStore ks = load(keystore, pass);
            PskKeyStore writer = PskKeyStore.open(ks, pass);
            int replaced = 0;
            try {
                for (int i = 0; i < ids.size(); i++) {
                    DeviceId id = ids.get(i);
                    Path file = dir.resolve(id.toHex() + KEY_FILE_SUFFIX);
                    byte[] psk;
                    if (existing) {
                        Arguments.refuseIfReadableByOthers(file);
                        psk = Files.readAllBytes(file);
                        if (!Limits.isUsablePsk(psk)) {
                            Arrays.fill(psk, (byte) 0);
                            err.println("error: " + file + " holds fewer than " + Limits.MIN_PSK_LENGTH + " bytes");
                            return 1;
                        }
                    } else {
                        psk = new byte[NEW_PSK_LENGTH];
                        random.nextBytes(psk);
                        try {
                            writePrivately(file, psk, false); // forced below, all at once
                        } catch (FileAlreadyExistsException e) {
                            Arrays.fill(psk, (byte) 0);
                            err.println("error: " + file + " exists; a PSK file is never overwritten");
                            return 1;
                        }
                        created.add(file);
                    }
                    try {
                        if (writer.put(id, psk)) {
                            replaced++;
                        }
                        if (i == 0 || i == ids.size() - 1 || i % 9973 == 0) {
                            samples.put(id, psk.clone());
                        }
                    } finally {
                        Arrays.fill(psk, (byte) 0);
                    }
                }
            } finally {
                writer.wipe();
            }
            if (!created.isEmpty()) {
                syncAll(created); // the new key files are durable before the key store names them
                syncDirectory(dir);
            }
            save(ks, keystore, pass);
            if (!readsBack(keystore, pass, samples)) {
                return 1;
            }
            done = true;
            out.println("IMPORTED " + ids.size() + " devices (" + (ids.size() - replaced) + " added, " + replaced + " replaced) "
                    + keystore);
            return 0;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            err.println("error: " + keystore + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        } finally {
            samples.values().forEach(k -> Arrays.fill(k, (byte) 0));
            Arrays.fill(pass, '\0');
            if (!done) {
                created.forEach(this::deleteQuietly);
            }
        }
    }

    /** The PSKs of a keystore for {@code gateway --keystore}, or null after printing why not. */
    static PskResolver resolver(Path keystore, Map<String, String> env, PrintStream err) {
        String password = env.get(PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            err.println("error: set the keystore password in the environment variable " + PASSWORD_ENV);
            return null;
        }
        if (!Files.isRegularFile(keystore)) {
            err.println("error: no keystore at " + keystore);
            return null;
        }
        char[] pass = password.toCharArray();
        try {
            return PskResolver.fromKeyStore(load(keystore, pass), pass);
        } catch (IOException | GeneralSecurityException e) {
            err.println("error: " + keystore + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return null;
        } finally {
            Arrays.fill(pass, '\0');
        }
    }

    private static List<DeviceId> readIds(Path file) throws Arguments.UsageException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new Arguments.UsageException("cannot read --ids " + file + ": " + e.getMessage());
        }
        Set<DeviceId> ids = new LinkedHashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                ids.add(DeviceId.fromHex(line));
            } catch (IllegalArgumentException e) {
                throw new Arguments.UsageException(file + " line " + (i + 1) + ": a device id is 12 hex digits");
            }
        }
        if (ids.isEmpty()) {
            throw new Arguments.UsageException(file + " lists no device id");
        }
        return new ArrayList<>(ids);
    }

    private static KeyStore load(Path keystore, char[] pass) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        if (Files.exists(keystore)) {
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, pass);
            }
        } else {
            ks.load(null, pass);
        }
        return ks;
    }

    /** Writes the keystore beside its target and moves it there: a failure never leaves half a keystore. */
    static void save(KeyStore ks, Path keystore, char[] pass) throws IOException, GeneralSecurityException {
        Path tmp = Files.createTempFile(keystore.toAbsolutePath().getParent(), ".usmp-keystore", ".tmp");
        try {
            try (OutputStream o = Files.newOutputStream(tmp)) {
                ks.store(o, pass);
            }
            Files.move(tmp, keystore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads the written store back the way the gateway will and compares the given keys. */
    private boolean readsBack(Path keystore, char[] pass, Map<DeviceId, byte[]> expected) throws IOException, GeneralSecurityException {
        KeyStore check = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            check.load(in, pass);
        }
        PskResolver resolver = PskResolver.fromKeyStore(check, pass, Math.max(1, expected.size()));
        try {
            for (Map.Entry<DeviceId, byte[]> e : expected.entrySet()) {
                byte[] stored = resolver.resolve(e.getKey());
                boolean same = Arrays.equals(stored, e.getValue());
                if (stored != null) {
                    Arrays.fill(stored, (byte) 0);
                }
                if (!same) {
                    err.println("error: the key of " + e.getKey().toHex() + " read back from " + keystore + " differs");
                    return false;
                }
            }
            return true;
        } finally {
            if (resolver instanceof javax.security.auth.Destroyable d) {
                try {
                    d.destroy();
                } catch (javax.security.auth.DestroyFailedException ignored) {
                    // nothing held then
                }
            }
        }
    }

    /**
     * Forces many files to disk at once: one fdatasync after another costs milliseconds each
     * (minutes for 100 000 keys); issued from many threads, the file system commits them in groups.
     */
    private static void syncAll(List<Path> files) throws IOException {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(64);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            int chunk = Math.max(1, files.size() / 256);
            for (int from = 0; from < files.size(); from += chunk) {
                List<Path> part = files.subList(from, Math.min(files.size(), from + chunk));
                done.add(pool.submit(() -> {
                    for (Path f : part) {
                        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                            ch.force(false);
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while syncing key files", e);
        } finally {
            pool.shutdown();
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // not every platform can sync a directory; the files themselves were synced
        }
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
        writePrivately(file, psk, true);
    }

    /** {@code sync}: force this file to disk now (bulk import forces its files together afterwards). */
    private static void writePrivately(Path file, byte[] psk, boolean sync) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(psk));
            if (sync) {
                ch.force(true);
            }
        }
    }
}
