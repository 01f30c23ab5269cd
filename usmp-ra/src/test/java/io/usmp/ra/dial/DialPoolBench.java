package io.usmp.ra.dial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.usmp.ra.UsmpResourceAdapter;
import io.usmp.ra.api.UsmpDialConnection;
import io.usmp.ra.testing.PoolBootstrapContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loopback figures for dial-out (not part of the suite, its name matches no test pattern: run with {@code -Dtest=DialPoolBench}): handshakes saved by pool
 * reuse and {@code request()} round trips per second, on one handle and on ten concurrent handles. Prints a table; asserts nothing about time.
 */
class DialPoolBench {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void poolFigures() throws Exception {
        int cycles = Integer.getInteger("usmp.bench.cycles", 200);
        int requests = Integer.getInteger("usmp.bench.requests", 5000);
        ExecutorService threads = Executors.newCachedThreadPool();
        UsmpResourceAdapter ra = new UsmpResourceAdapter();
        ra.start(new PoolBootstrapContext(threads));
        byte[] ping = "echo:x".getBytes(StandardCharsets.UTF_8);
        byte[] x = "x".getBytes(StandardCharsets.UTF_8);
        try (DialPeer peer = new DialPeer(UsmpDialManagedConnectionTest.psks())) {
            UsmpDialManagedConnectionFactory mcf = UsmpDialManagedConnectionTest.factory(dir, ra, peer.port());
            MiniPool pool = new MiniPool();
            UsmpDialConnectionFactoryImpl cf = (UsmpDialConnectionFactoryImpl) mcf.createConnectionFactory(pool);
            // warm-up
            for (int i = 0; i < 20; i++) {
                try (UsmpDialConnection c = cf.getConnection()) {
                    c.request(ping, WAIT);
                }
            }
            pool.shutdown();

            long h0 = peer.handshakes();
            long t0 = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                UsmpDialManagedConnection mc = (UsmpDialManagedConnection) mcf.createManagedConnection(null, null);
                UsmpDialConnection c = (UsmpDialConnection) mc.getConnection(null, null);
                assertArrayEquals(x, c.request(ping, WAIT));
                mc.destroy();
                awaitNoSession(peer);
            }
            double unpooledMs = (System.nanoTime() - t0) / 1e6 / cycles;
            long unpooledHandshakes = peer.handshakes() - h0;

            long h1 = peer.handshakes();
            long t1 = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                try (UsmpDialConnection c = cf.getConnection()) {
                    assertArrayEquals(x, c.request(ping, WAIT));
                }
            }
            double pooledMs = (System.nanoTime() - t1) / 1e6 / cycles;
            long pooledHandshakes = peer.handshakes() - h1;

            long t2 = System.nanoTime();
            try (UsmpDialConnection c = cf.getConnection()) {
                for (int i = 0; i < requests; i++) {
                    c.request(ping, WAIT);
                }
            }
            double rtPerSec = requests / ((System.nanoTime() - t2) / 1e9);
            pool.shutdown();

            // ten handles at once, one session (identity) each, each doing requests/10 round trips
            UsmpDialManagedConnectionFactory ten = UsmpDialManagedConnectionTest.factory(dir, ra, peer.port());
            ten.setDeviceId(null);
            ten.setDeviceIds(String.join(",", UsmpDialManagedConnectionTest.IDS));
            MiniPool tenPool = new MiniPool();
            UsmpDialConnectionFactoryImpl tenCf = (UsmpDialConnectionFactoryImpl) ten.createConnectionFactory(tenPool);
            ExecutorService callers = Executors.newFixedThreadPool(10);
            List<Future<?>> done = new ArrayList<>();
            CountDownLatch connected = new CountDownLatch(10);
            for (int t = 0; t < 10; t++) {
                done.add(callers.submit(() -> {
                    try (UsmpDialConnection c = tenCf.getConnection()) {
                        c.request(ping, WAIT); // handshake and warm-up outside the timing
                        connected.countDown();
                        connected.await();
                        for (int i = 0; i < requests / 10; i++) {
                            c.request(ping, WAIT);
                        }
                    }
                    return null;
                }));
            }
            connected.await();
            long t3 = System.nanoTime();
            for (Future<?> f : done) {
                f.get();
            }
            double tenPerSec = (requests / 10 * 10) / ((System.nanoTime() - t3) / 1e9);
            callers.shutdownNow();
            tenPool.shutdown();

            System.out.printf("%n| dial-out over loopback (%d cycles) | handshakes | ms per getConnection+request+close |%n", cycles);
            System.out.printf("|---|---|---|%n");
            System.out.printf("| new session per use (no pool) | %d | %.2f |%n", unpooledHandshakes, unpooledMs);
            System.out.printf("| pooled (MiniPool, same MCF)   | %d | %.2f |%n", pooledHandshakes, pooledMs);
            System.out.printf("| handshakes saved by the pool  | %d | %.1fx faster per use |%n", unpooledHandshakes - pooledHandshakes,
                    unpooledMs / pooledMs);
            System.out.printf("| request() round trips/s, one handle, %d requests | | %.0f/s |%n", requests, rtPerSec);
            System.out.printf("| request() round trips/s, 10 concurrent handles (10 sessions), %d requests | | %.0f/s |%n%n",
                    requests / 10 * 10, tenPerSec);
        } finally {
            ra.stop();
            threads.shutdownNow();
        }
    }

    /** The gateway keeps one session per device: wait until the old one is gone so the next is not a "reconnect". */
    private static void awaitNoSession(DialPeer peer) throws InterruptedException {
        for (int i = 0; i < 2000 && !peer.server.sessions().isEmpty(); i++) {
            Thread.sleep(1);
        }
    }
}
