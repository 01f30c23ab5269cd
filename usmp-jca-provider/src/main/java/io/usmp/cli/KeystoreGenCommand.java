package io.usmp.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code keystore-gen}: a new PKCS#12 keystore for the simulated fleet, devices 0..N-1 (ids from
 * {@link SimulatedDevices#id}), each with a random 32-byte PSK. The simulator reads the keys back
 * from this file, so no key is ever printed or written elsewhere.
 */
final class KeystoreGenCommand {
    private static final int PSK_LENGTH = 32;
    static final int MAX_DEVICES = 100_000;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    KeystoreGenCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int run(Arguments a) throws Arguments.UsageException {
        Path keystore = Path.of(a.required("--keystore"));
        int devices = SimulateCommand.intOption(a, "--devices", 1, MAX_DEVICES, null);
        char[] pass = SimulateCommand.password(env);
        if (Files.exists(keystore)) {
            err.println("error: " + keystore + " exists; keystore-gen never replaces keys (keystore-add changes one)");
            return 1;
        }
        byte[] psk = new byte[PSK_LENGTH];
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, pass);
            SecureRandom random = new SecureRandom();
            KeyStore.ProtectionParameter protection = new KeyStore.PasswordProtection(pass);
            for (int i = 0; i < devices; i++) {
                random.nextBytes(psk);
                ks.setEntry(SimulatedDevices.id(i).toHex(), new KeyStore.SecretKeyEntry(new SecretKeySpec(psk, "AES")), protection);
            }
            KeystoreCommand.save(ks, keystore, pass);
            out.println("CREATED " + keystore + " devices " + SimulatedDevices.id(0) + ".." + SimulatedDevices.id(devices - 1));
            return 0;
        } catch (IOException | GeneralSecurityException e) {
            err.println("error: " + keystore + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        } finally {
            Arrays.fill(psk, (byte) 0);
            Arrays.fill(pass, '\0');
        }
    }
}
