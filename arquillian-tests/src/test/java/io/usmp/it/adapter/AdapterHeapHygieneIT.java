package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.UsmpClient;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskKeyStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.Archive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Key hygiene inside the real server, checked the way an attacker with a heap dump would: the
 * server's heap is dumped (jcmd GC.heap_dump, live objects) and searched for a device's PSK and the
 * keystore password. Both are random per run and exist only in the keystore file, the password file
 * and this test's JVM, so every hit in the server's heap is a copy the adapter made. While a device is
 * connected its PSK is found (the adapter's look-up cache holds it: the positive control that the
 * search works); after the device left and the application with the MDB was undeployed, neither is.
 * The adapter itself stays deployed on its own, so its classes, statics and WorkManager threads stay
 * alive: a copy that the adapter keeps after the endpoint's deactivation would still be reachable
 * and found, which is what a leak looks like (an undeployed class loader alone would hide it).
 * <p>Session keys are random per handshake on the server side and never leave it, so the test cannot
 * know what to search for; their wiping is engine code, proven by the core's {@code KeyHygieneTest}.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer(Server.Need.MDBS)
@RunAsClient
class AdapterHeapHygieneIT {
    private static final String APP = "usmp-it-heap";
    private static final int PORT = 17422;
    private static final Path KEYSTORE = Path.of("target", "it-heap-psk.p12").toAbsolutePath();
    private static final Path PASSWORD_FILE = Path.of("target", "it-heap-keystore.password").toAbsolutePath();
    private static final String DEVICE = "e1a000000001";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] PSK = random(32);
    /** Letters only, so every encoding of it (Latin-1, UTF-8, UTF-16) is a distinct, searchable pattern. */
    private static final String PASSWORD = HexFormat.of().formatHex(random(16)).replaceAll("[0-9]", "q");

    @ArquillianResource
    private Deployer deployer;

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    @Deployment(name = "rar", order = 1, testable = false)
    static Archive<?> rar() throws Exception {
        return AdapterArchives.rar();
    }

    @Deployment(name = APP, order = 2, managed = false, testable = false)
    static JavaArchive application() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        PskKeyStore writer = PskKeyStore.open(ks, PASSWORD.toCharArray());
        writer.put(DeviceId.fromHex(DEVICE), PSK);
        writer.wipe();
        try (OutputStream out = Files.newOutputStream(KEYSTORE)) {
            ks.store(out, PASSWORD.toCharArray());
        }
        Files.deleteIfExists(PASSWORD_FILE);
        Files.createFile(PASSWORD_FILE, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(PASSWORD_FILE, PASSWORD + "\n");
        return StandaloneRarIT.application(APP, AdapterArchives.activation(Map.of("port", String.valueOf(PORT),
                "keyStorePath", KEYSTORE.toString(), "keyStorePassword", "", "keyStorePasswordFile", PASSWORD_FILE.toString())));
    }

    @Test
    void noPskOrKeystorePasswordStaysInTheServersHeapAfterUndeploy() throws Exception {
        deployer.deploy(APP);
        UsmpClient device = ItDevices.connect(PORT, DEVICE, PSK);
        try {
            device.send("heap".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("heap".getBytes(StandardCharsets.UTF_8), device.receive(Duration.ofSeconds(30)));
            Map<String, Integer> open = hitsInServerHeap("open");
            assertTrue(open.get("psk") > 0, "the PSK of a connected device is on the server's heap, so the search finds it: " + open);
        } finally {
            device.close();
        }
        deployer.undeploy(APP);
        Map<String, Integer> none = new LinkedHashMap<>();
        secrets().keySet().forEach(k -> none.put(k, 0));
        assertEquals(none, hitsInServerHeap("undeployed"),
                "after the device left and the MDB's application was undeployed, no copy of its PSK or the keystore password is reachable");
    }

    private static Map<String, byte[]> secrets() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("psk", PSK);
        // A String is Latin-1 bytes (compact strings) or UTF-16; a char[] is UTF-16 (big-endian in HPROF).
        m.put("password latin-1", PASSWORD.getBytes(StandardCharsets.ISO_8859_1));
        m.put("password utf-16be", PASSWORD.getBytes(StandardCharsets.UTF_16BE));
        m.put("password utf-16le", PASSWORD.getBytes(StandardCharsets.UTF_16LE));
        return m;
    }

    private static Map<String, Integer> hitsInServerHeap(String name) throws Exception {
        ProcessHandle server = serverProcess();
        Path dump = Path.of("target", "heap-" + name + ".hprof").toAbsolutePath();
        Files.deleteIfExists(dump);
        // The server's own JDK (Payara 7 runs on a newer one than the tests), beside its java executable.
        Path java = Path.of(server.info().command().orElseThrow());
        Process jcmd = new ProcessBuilder(java.resolveSibling("jcmd").toString(), String.valueOf(server.pid()),
                "GC.heap_dump", dump.toString()).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jcmd.waitFor(120, TimeUnit.SECONDS) && jcmd.exitValue() == 0 && Files.size(dump) > 0,
                "jcmd dumped the server's heap: " + out);
        try {
            byte[] heap = Files.readAllBytes(dump);
            Map<String, Integer> hits = new LinkedHashMap<>();
            secrets().forEach((k, v) -> hits.put(k, count(heap, v)));
            return hits;
        } finally {
            Files.delete(dump);
        }
    }

    /** The server this build started: a Java process whose command line names this module's target directory. */
    private static ProcessHandle serverProcess() throws IOException {
        String target = Path.of("target").toAbsolutePath().toString();
        List<ProcessHandle> found = ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .filter(p -> p.info().commandLine().map(c -> c.contains(target) && isServer(c)).orElse(false))
                .toList();
        assertEquals(1, found.size(), "exactly one server process of this build: " + found);
        return found.get(0);
    }

    private static boolean isServer(String commandLine) {
        return commandLine.contains("jboss-modules.jar") || commandLine.contains("glassfish.jar")
                || commandLine.contains("payara-micro");
    }

    private static int count(byte[] haystack, byte[] needle) {
        int n = 0;
        byte first = needle[0];
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            if (haystack[i] != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            n++;
        }
        return n;
    }
}
