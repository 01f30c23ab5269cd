package io.usmp.ra;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ra.inbound.UsmpActivationSpec;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.XATerminator;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.ExecutionContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkContext;
import jakarta.resource.spi.work.WorkListener;
import jakarta.resource.spi.work.WorkManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Timer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.spec.SecretKeySpec;
import javax.transaction.xa.XAResource;
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

    private final class PoolWorkManager implements WorkManager {
        @Override
        public void doWork(Work work) {
            work.run();
        }

        @Override
        public void doWork(Work work, long timeout, ExecutionContext ctx, WorkListener l) {
            work.run();
        }

        @Override
        public long startWork(Work work) {
            threads.execute(work);
            return 0;
        }

        @Override
        public long startWork(Work work, long timeout, ExecutionContext ctx, WorkListener l) {
            threads.execute(work);
            return 0;
        }

        @Override
        public void scheduleWork(Work work) {
            threads.execute(work);
        }

        @Override
        public void scheduleWork(Work work, long timeout, ExecutionContext ctx, WorkListener l) {
            threads.execute(work);
        }
    }

    private final BootstrapContext context = new BootstrapContext() {
        @Override
        public WorkManager getWorkManager() {
            return new PoolWorkManager();
        }

        @Override
        public XATerminator getXATerminator() {
            return null;
        }

        @Override
        public Timer createTimer() throws UnavailableException {
            throw new UnavailableException("no timers here");
        }

        @Override
        public boolean isContextSupported(Class<? extends WorkContext> type) {
            return false;
        }

        @Override
        public TransactionSynchronizationRegistry getTransactionSynchronizationRegistry() {
            return null;
        }
    };

    private static final class IdleFactory implements MessageEndpointFactory {
        private final String name;

        IdleFactory(String name) {
            this.name = name;
        }

        @Override
        public MessageEndpoint createEndpoint(XAResource xa) throws UnavailableException {
            throw new UnavailableException("not used");
        }

        @Override
        public MessageEndpoint createEndpoint(XAResource xa, long timeout) throws UnavailableException {
            throw new UnavailableException("not used");
        }

        @Override
        public boolean isDeliveryTransacted(Method method) {
            return true;
        }

        @Override
        public String getActivationName() {
            return name;
        }

        @Override
        public Class<?> getEndpointClass() {
            return Object.class;
        }
    }

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
        IdleFactory first = new IdleFactory("first");
        ra.endpointActivation(first, spec(port));
        assertTrue(listening(port));
        ResourceException e = assertThrows(ResourceException.class, () -> ra.endpointActivation(new IdleFactory("second"), spec(port)));
        assertTrue(e.getMessage().contains("already listens on 127.0.0.1:" + port) && e.getMessage().contains("first"), e.getMessage());
        ra.endpointDeactivation(first, null);
        assertTrue(released(port), "deactivation closes the listener");
        ra.endpointActivation(new IdleFactory("third"), spec(port));
        assertTrue(listening(port), "the port can be used again");
        ra.stop();
        assertTrue(released(port), "stop closes every activation");
    }

    @Test
    void wrongKeystorePasswordFailsActivationWithoutRevealingIt() throws Exception {
        ra.start(context);
        UsmpActivationSpec s = spec(freePort());
        s.setKeyStorePassword("not-the-password");
        ResourceException e = assertThrows(ResourceException.class, () -> ra.endpointActivation(new IdleFactory("x"), s));
        assertTrue(e.getMessage().contains("keystore"), e.getMessage());
        assertTrue(!e.getMessage().contains("not-the-password"), e.getMessage());
    }
}
