package io.usmp.ra;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ra.inbound.UsmpActivationSpec;
import io.usmp.ra.testing.IdleEndpointFactory;
import io.usmp.ra.testing.PoolBootstrapContext;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.BootstrapContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Activation lifecycle without a container: a thread-pool WorkManager and an endpoint factory that
 * is never asked for endpoints (no device connects). The WildFly tests cover the real container.
 */
class ActivationLifecycleTest {
    @TempDir
    Path dir;

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final UsmpResourceAdapter ra = new UsmpResourceAdapter();

    @AfterEach
    void tearDown() {
        ra.stop();
        threads.shutdownNow();
    }

    private final BootstrapContext context = new PoolBootstrapContext(threads);

    private UsmpActivationSpec spec(int port) throws Exception {
        Path ks = dir.resolve("psk.p12");
        if (!Files.exists(ks)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setEntry("a1b2c3d4e5f6", new KeyStore.SecretKeyEntry(new SecretKeySpec(new byte[32], "AES")),
                    new KeyStore.PasswordProtection("pw".toCharArray()));
            try (OutputStream out = Files.newOutputStream(ks)) {
                store.store(out, "pw".toCharArray());
            }
        }
        UsmpActivationSpec s = new UsmpActivationSpec();
        s.setPort(port);
        s.setKeyStorePath(ks.toString());
        s.setKeyStorePassword("pw");
        s.setDeadLetterDirectory(dir.resolve("dlq").toString());
        return s;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Waits (bounded) until nothing listens: NIO releases a closed listener's port only when its
     * selector runs again, a moment after close returns.
     */
    private static boolean released(int port) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            if (!listening(port)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /**
     * Probes by binding, not connecting: a connect to a free port in the ephemeral range can,
     * rarely, connect to itself (TCP simultaneous open) and look like a listener.
     */
    private static boolean listening(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void secondActivationOnTheSameAddressAndPortFailsClearly() throws Exception {
        ra.start(context);
        int port = freePort();
        IdleEndpointFactory first = new IdleEndpointFactory("first");
        ra.endpointActivation(first, spec(port));
        assertTrue(listening(port));
        ResourceException e = assertThrows(ResourceException.class, () -> ra.endpointActivation(new IdleEndpointFactory("second"), spec(port)));
        assertTrue(e.getMessage().contains("already listens on 127.0.0.1:" + port) && e.getMessage().contains("first"), e.getMessage());
        ra.endpointDeactivation(first, null);
        assertTrue(released(port), "deactivation closes the listener");
        ra.endpointActivation(new IdleEndpointFactory("third"), spec(port));
        assertTrue(listening(port), "the port can be used again");
        ra.stop();
        assertTrue(released(port), "stop closes every activation");
    }

    @Test
    void wrongKeystorePasswordFailsActivationWithoutRevealingIt() throws Exception {
        ra.start(context);
        UsmpActivationSpec s = spec(freePort());
        s.setKeyStorePassword("not-the-password");
        ResourceException e = assertThrows(ResourceException.class, () -> ra.endpointActivation(new IdleEndpointFactory("x"), s));
        assertTrue(e.getMessage().contains("keystore"), e.getMessage());
        assertTrue(!e.getMessage().contains("not-the-password"), e.getMessage());
    }
}
