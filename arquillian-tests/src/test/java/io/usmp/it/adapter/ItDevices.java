package io.usmp.it.adapter;

import io.usmp.ClientConfig;
import io.usmp.protocol.DeviceId;
import io.usmp.UsmpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.stream.Stream;
import javax.crypto.spec.SecretKeySpec;

/** The simulated device fleet: ids, PSKs, the PKCS#12 keystore the adapter loads, clients. */
final class ItDevices {
    static final int FLEET = 100;
    static final int PORT = 17400;
    static final String KEYSTORE_PASSWORD = "it-keystore-password";
    static final Path KEYSTORE = Path.of("target", "it-psk.p12").toAbsolutePath();
    static final Path DEAD_LETTERS = Path.of("target", "it-dead-letters").toAbsolutePath();

    private ItDevices() {
    }

    static String id(int n) {
        return String.format("d0000000%04x", n);
    }

    static byte[] psk(String deviceHex) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(("psk-" + deviceHex).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the keystore of devices 0..FLEET-1 (generated per run, like an operator would). */
    static void writeKeyStore() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        KeyStore.ProtectionParameter protection = new KeyStore.PasswordProtection(KEYSTORE_PASSWORD.toCharArray());
        for (int i = 0; i < FLEET; i++) {
            ks.setEntry(id(i), new KeyStore.SecretKeyEntry(new SecretKeySpec(psk(id(i)), "AES")), protection);
        }
        Files.createDirectories(KEYSTORE.getParent());
        try (OutputStream out = Files.newOutputStream(KEYSTORE)) {
            ks.store(out, KEYSTORE_PASSWORD.toCharArray());
        }
    }

    static UsmpClient connect(String deviceHex) throws IOException {
        return connect(deviceHex, psk(deviceHex));
    }

    static UsmpClient connect(String deviceHex, byte[] psk) throws IOException {
        return connect(PORT, deviceHex, psk);
    }

    static UsmpClient connect(int port, String deviceHex, byte[] psk) throws IOException {
        return UsmpClient.connect(ClientConfig.builder("127.0.0.1", port, DeviceId.fromHex(deviceHex), psk)
                .handshakeTimeout(Duration.ofSeconds(5)).build());
    }

    /** The dead-letter record holding {@code payload}, if one has been written. */
    static Optional<String> deadLetterWith(String payload) throws IOException {
        String encoded = "\"payloadBase64\":\"" + Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "\"";
        if (!Files.isDirectory(DEAD_LETTERS)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(DEAD_LETTERS)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.toString().endsWith(".json")) {
                    String json = Files.readString(f);
                    if (json.contains(encoded)) {
                        return Optional.of(json);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
