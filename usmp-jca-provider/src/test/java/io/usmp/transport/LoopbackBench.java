package io.usmp.transport;

import io.usmp.ClientConfig;
import io.usmp.ServerConfig;
import io.usmp.ServerListener;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.UsmpTransport;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.crypto.UsmpKeyAgreementSpec;
import io.usmp.crypto.UsmpProvider;
import io.usmp.crypto.X25519Keys;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.crypto.KeyAgreement;

/**
 * A rough loopback throughput harness, not a test (surefire does not pick it up). Run after
 * {@code mvn test-compile}:
 * <pre>java -cp target/test-classes:target/classes:$(deps) io.usmp.transport.LoopbackBench</pre>
 * Prints a markdown table. Numbers from a shared, noisy machine are indicative only.
 */
public final class LoopbackBench {
    private static final Logger QUIET = Logger.getLogger("io.usmp");
    private static final List<String[]> ROWS = new ArrayList<>();

    private LoopbackBench() {
    }

    public static void main(String[] args) throws Exception {
        QUIET.setLevel(Level.WARNING);
        LongAdder received = new LongAdder();
        ServerListener sink = new ServerListener() {
            @Override
            public void onMessage(UsmpSession session, byte[] payload) {
                received.increment();
            }
        };
        ServerConfig config = Loopback.config().maxConcurrentHandshakes(16).build();
        try (UsmpServer server = UsmpServer.start(config, sink);
             UsmpTransport transport = UsmpTransport.create(2, r -> {
                 Thread t = new Thread(r, "bench-clients");
                 t.setDaemon(true);
                 return t;
             })) {
            handshakes(server, transport, 1, 50); // warm-up
            handshakes(server, transport, 1, 300);
            handshakes(server, transport, 8, 50);
            messages(server, transport, received, 1, 100, 2_000); // warm-up
            ROWS.clear();
            handshakes(server, transport, 1, 300);
            handshakes(server, transport, 8, 50);
            messages(server, transport, received, 1, 100, 20_000);
            messages(server, transport, received, 1, 1808, 10_000);
            messages(server, transport, received, 8, 100, 5_000);
            messages(server, transport, received, 8, 1808, 2_000);
        }
        UsmpProvider bc = new UsmpProvider();
        UsmpProvider sunec = (UsmpProvider) bc.configure("x25519=SunEC");
        usmpAgreement("USMP KeyPairGenerator+KeyAgreement (X25519+HKDF), x25519=BC", UsmpCrypto.of(bc));
        usmpAgreement("USMP KeyPairGenerator+KeyAgreement (X25519+HKDF), x25519=SunEC", UsmpCrypto.of(sunec));
        rawX25519("raw JCA X25519 keygen+agreement, Bouncy Castle", new org.bouncycastle.jce.provider.BouncyCastleProvider());
        rawX25519("raw JCA X25519 keygen+agreement, SunEC", Security.getProvider("SunEC"));

        System.out.println();
        System.out.println("| measurement | count | seconds | rate |");
        System.out.println("|---|---:|---:|---:|");
        for (String[] r : ROWS) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
        System.out.println();
        System.out.println(Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version"));
    }

    private static void row(String what, long count, long nanos, String unit) {
        double s = nanos / 1e9;
        ROWS.add(new String[] {what, String.valueOf(count), String.format("%.2f", s), String.format("%,.0f %s", count / s, unit)});
    }

    private static ClientConfig client(UsmpServer server, UsmpTransport transport, int device) {
        return ClientConfig.builder("127.0.0.1", server.localAddress().getPort(), Loopback.device(device), Loopback.PSK)
                .transport(transport).build();
    }

    private static void handshakes(UsmpServer server, UsmpTransport transport, int threads, int perThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = 10_000 + t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        try (UsmpClient c = UsmpClient.connect(client(server, transport, id))) {
                            c.sessionId();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(300, TimeUnit.SECONDS);
            }
            row("handshakes (connect+close), " + threads + (threads == 1 ? " connector, sequential" : " concurrent connectors"),
                    (long) threads * perThread, System.nanoTime() - start, "/s");
        } finally {
            pool.shutdownNow();
        }
    }

    private static void messages(UsmpServer server, UsmpTransport transport, LongAdder received, int clients, int size,
                                 int perClient) throws Exception {
        List<UsmpClient> open = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            for (int c = 0; c < clients; c++) {
                open.add(UsmpClient.connect(client(server, transport, 20_000 + c)));
            }
            long target = received.sum() + (long) clients * perClient;
            byte[] message = new byte[size];
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (UsmpClient c : open) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        c.send(message);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(300, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.sum() < target && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            long nanos = System.nanoTime() - start;
            long count = (long) clients * perClient;
            row(size + "-byte messages, " + clients + (clients == 1 ? " client" : " clients") + " (send waits for write)",
                    count, nanos, String.format("msg/s (%.1f MB/s payload)", count * (double) size / (nanos / 1e9) / 1e6));
        } finally {
            open.forEach(UsmpClient::close);
            pool.shutdownNow();
        }
    }

    /** One op: a fresh pair from KeyPairGenerator USMP, then KeyAgreement USMP against a fixed peer key. */
    private static void usmpAgreement(String what, UsmpCrypto crypto) throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] peer = X25519Keys.rawPublic(crypto.generateKeyPair(random).getPublic());
        byte[] nonce = new byte[32];
        random.nextBytes(nonce);
        timed(what, () -> {
            KeyPair own = crypto.generateKeyPair(random);
            byte[] pub = X25519Keys.rawPublic(own.getPublic());
            crypto.deriveSessionKeys(own.getPrivate(), peer, new UsmpKeyAgreementSpec(nonce, pub, peer));
        });
    }

    private static void rawX25519(String what, Provider provider) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("X25519", provider);
        KeyPair peer = g.generateKeyPair();
        timed(what, () -> {
            KeyPair own = g.generateKeyPair();
            KeyAgreement ka = KeyAgreement.getInstance("X25519", provider);
            ka.init(own.getPrivate());
            ka.doPhase(peer.getPublic(), true);
            ka.generateSecret();
        });
    }

    private interface Op {
        void run() throws Exception;
    }

    private static void timed(String what, Op op) throws Exception {
        long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < warm) {
            op.run();
        }
        long n = 0;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < end) {
            op.run();
            n++;
        }
        row(what, n, System.nanoTime() - start, "ops/s");
    }
}
