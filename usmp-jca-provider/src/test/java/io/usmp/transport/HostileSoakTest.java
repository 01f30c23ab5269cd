package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ServerListener;
import io.usmp.ServerStatistics;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PayloadException;
import io.usmp.wire.PacketType;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A gateway under attack over loopback: 100 valid devices stream at a steady pace while, from many
 * other 127.0.0.0/8 addresses, attackers send garbage, bad magic and versions, hold slowloris and
 * half-open sockets, try wrong PSKs and unknown device ids, flood PINGs and never read. The valid
 * devices get ≥ 90 % of what they send during the attack delivered within it, lose nothing and are
 * never locked out; heap, threads and file descriptors stay bounded; the limits and lockouts
 * engage. Each phase lasts {@code usmp.soak.seconds} (6 by default; the {@code soak} profile runs
 * longer) and every loop is bounded by it.
 */
class HostileSoakTest {
    private static final int VALID = 100;
    private static final long PACE_MILLIS = 100; // each valid device sends 10 messages/s
    private static final long PHASE_MILLIS = Long.getLong("usmp.soak.seconds", 6) * 1000;

    private final Loopback loopback = new Loopback();
    private final ScheduledExecutorService pacer = Executors.newScheduledThreadPool(4);
    private final ExecutorService attackers = Executors.newFixedThreadPool(9);

    @AfterEach
    void tearDown() throws Exception {
        pacer.shutdownNow();
        attackers.shutdownNow();
        attackers.awaitTermination(10, TimeUnit.SECONDS);
        loopback.close();
    }

    /** Counts each valid device's messages and checks their order; answers "echo" with 1 800 bytes. */
    static final class Counting implements ServerListener {
        final Map<DeviceId, AtomicLong> next = new ConcurrentHashMap<>();
        final AtomicLong delivered = new AtomicLong();
        final List<String> disorder = new ArrayList<>();

        @Override
        public void onMessage(UsmpSession session, byte[] payload) {
            if (payload.length == 8) {
                long n = ByteBuffer.wrap(payload).getLong();
                long expected = next.computeIfAbsent(session.deviceId(), d -> new AtomicLong()).getAndIncrement();
                if (n != expected) {
                    synchronized (disorder) {
                        disorder.add(session.deviceId() + " got " + n + " expected " + expected);
                    }
                }
                delivered.incrementAndGet();
            } else {
                try {
                    session.send(new byte[1800]).exceptionally(e -> null); // refused while unwritable: fine
                } catch (PayloadException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static long fds() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void validDevicesAreServedLoseNothingAndAreNeverLockedOutWhileAttacked() throws Exception {
        Counting listener = new Counting();
        UsmpServer server = loopback.start(Loopback.config().lockout(3, 60, 4096).helloTimeout(Duration.ofMillis(500))
                .writeBufferWaterMarks(8 * 1024, 16 * 1024).slowConsumerTimeout(Duration.ofSeconds(1)), listener);
        InetSocketAddress address = server.localAddress();
        List<UsmpClient> devices = new ArrayList<>();
        for (int i = 0; i < VALID; i++) {
            devices.add(loopback.connect(Loopback.client(server, Loopback.device(i))));
        }
        long[] sent = new long[VALID];
        AtomicLong sentTotal = new AtomicLong();
        pacer.scheduleAtFixedRate(() -> {
            for (int i = 0; i < VALID; i++) {
                try {
                    devices.get(i).send(ByteBuffer.allocate(8).putLong(sent[i]).array());
                    sent[i]++;
                    sentTotal.incrementAndGet();
                } catch (Exception e) {
                    return; // shows up below as a closed device
                }
            }
        }, 0, PACE_MILLIS, TimeUnit.MILLISECONDS);

        long heap0 = heapAfterGc();
        long threads0 = Thread.activeCount();
        long fds0 = fds();
        long d0 = listener.delivered.get();
        Thread.sleep(PHASE_MILLIS);
        long baseline = listener.delivered.get() - d0;

        AtomicBoolean attacking = new AtomicBoolean(true);
        long until = System.nanoTime() + PHASE_MILLIS * 1_000_000;
        AtomicLong attacks = new AtomicLong();
        List<Runnable> kinds = List.of(
                () -> garbage(address, "127.0.10." + (1 + attacks.get() % 200)),
                () -> rawFrame(address, "127.0.11." + (1 + attacks.get() % 200), RawDevice.rawFrame(0x1234, 2, 1, 0, new byte[38], false)),
                () -> rawFrame(address, "127.0.11." + (1 + attacks.get() % 200), RawDevice.rawFrame(0xABCD, 3, 1, 0, new byte[38], false)),
                () -> slowloris(address, "127.0.12." + (1 + attacks.get() % 200)),
                () -> wrongKey(address, "127.0.13." + (1 + attacks.get() % 4), Loopback.device(1), Loopback.WRONG_PSK),
                () -> wrongKey(address, "127.0.14." + (1 + attacks.get() % 4), Loopback.UNKNOWN, Loopback.PSK),
                () -> pingFlood(address, "127.0.15.1"),
                () -> halfOpen(address, "127.0.16." + (1 + attacks.get() % 200)),
                () -> neverReads(address, "127.0.17.1"));
        for (Runnable kind : kinds) {
            attackers.submit(() -> {
                while (attacking.get() && System.nanoTime() < until) {
                    attacks.incrementAndGet();
                    try {
                        kind.run();
                    } catch (RuntimeException expected) {
                        // refused, reset or closed by the gateway: that is the point
                    }
                }
            });
        }
        long d1 = listener.delivered.get();
        long s1 = sentTotal.get();
        Thread.sleep(PHASE_MILLIS);
        long underAttack = listener.delivered.get() - d1;
        // What the valid devices offered in the window: the attackers share this JVM's CPU with their pacer,
        // so on a loaded machine they send less than unattacked, and that is not the gateway's doing.
        long offered = sentTotal.get() - s1;
        attacking.set(false);
        attackers.shutdown();
        assertTrue(attackers.awaitTermination(20, TimeUnit.SECONDS), "attackers stop by themselves");
        pacer.shutdown();
        assertTrue(pacer.awaitTermination(10, TimeUnit.SECONDS));

        long total = 0;
        for (long s : sent) {
            total += s;
        }
        long expectedTotal = total;
        Loopback.await("every message sent was delivered", () -> listener.delivered.get() == expectedTotal,
                () -> listener.delivered.get() + " of " + expectedTotal);
        long heap1 = heapAfterGc();
        long threads1 = Thread.activeCount();
        long fds1 = fds();
        ServerStatistics s = server.statistics();
        System.out.printf("%nhostile soak, %d s per phase, %d attacks%n", PHASE_MILLIS / 1000, attacks.get());
        System.out.printf("| measure | unattacked | attacked |%n|---|---|---|%n");
        System.out.printf("| valid messages/s | %d | %d (%.0f %%) |%n", baseline * 1000 / PHASE_MILLIS, underAttack * 1000 / PHASE_MILLIS,
                100.0 * underAttack / baseline);
        System.out.printf("| heap after GC, MiB | %d | %d |%n", heap0 >> 20, heap1 >> 20);
        System.out.printf("| threads | %d | %d |%n| file descriptors | %d | %d |%n", threads0, threads1, fds0, fds1);
        System.out.printf("| lockouts | | %d |%n| refusals | | %s |%n| failed handshakes | | %s |%n| sessions closed | | %s |%n",
                s.lockouts(), s.refusals(), s.handshakeFailures(), s.sessionsClosed());

        assertTrue(underAttack >= offered * 9 / 10, "valid messages delivered while attacked: " + underAttack + " of "
                + offered + " sent (unattacked: " + baseline + " in as long)");
        assertEquals(List.of(), listener.disorder, "in order");
        for (int i = 0; i < VALID; i++) {
            assertTrue(devices.get(i).isOpen(), "valid device " + i + " still connected (never locked out)");
        }
        assertTrue(heap1 - heap0 < 64L << 20, "heap bounded: " + ((heap1 - heap0) >> 20) + " MiB more");
        assertTrue(threads1 - threads0 < 20, "threads bounded: " + threads0 + " → " + threads1);
        assertTrue(fds1 - fds0 < 100, "file descriptors bounded: " + fds0 + " → " + fds1);
        assertTrue(s.lockouts() > 0, "lockouts engaged");
        assertTrue(s.refusals().containsKey(io.usmp.Refusal.LOCKED_OUT), "locked-out sources refused: " + s.refusals());
        assertTrue(s.handshakeFailures().keySet().containsAll(List.of(CloseReason.AUTH, CloseReason.BAD_FRAME,
                CloseReason.VERSION, CloseReason.TIMEOUT)), "limits engaged: " + s.handshakeFailures());
        assertTrue(s.sessionsClosed().keySet().containsAll(List.of(CloseReason.SEQUENCE, CloseReason.SLOW_CONSUMER)),
                "flooders and readers that never read were closed: " + s.sessionsClosed());
    }

    private static Socket socket(InetSocketAddress server, String source) {
        try {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 2_000);
            s.setSoTimeout(2_000);
            return s;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void garbage(InetSocketAddress server, String source) {
        byte[] junk = new byte[64];
        new Random().nextBytes(junk);
        rawFrame(server, source, junk);
    }

    private static void rawFrame(InetSocketAddress server, String source, byte[] bytes) {
        try (Socket s = socket(server, source)) {
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            s.getInputStream().read(); // the gateway closes without a byte
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One byte of a HELLO every 300 ms: the HELLO timeout ends it. */
    private static void slowloris(InetSocketAddress server, String source) {
        try (Socket s = socket(server, source)) {
            byte[] hello = RawDevice.hello(Loopback.device(1));
            for (int i = 0; i < hello.length; i++) {
                s.getOutputStream().write(hello[i]);
                Thread.sleep(300);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Connects and sends nothing; closes after 2 s if the gateway has not. */
    private static void halfOpen(InetSocketAddress server, String source) {
        try (Socket s = socket(server, source)) {
            s.getInputStream().read();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void wrongKey(InetSocketAddress server, String source, DeviceId device, byte[] psk) {
        try (RawDevice d = RawDevice.connect(server, source)) {
            d.helloAndAck(device, psk);
            d.readUntilClosed();
        } catch (Exception | AssertionError e) {
            throw new IllegalStateException(e);
        }
    }

    /** An authenticated device that sends 20 PINGs at once: closed for the flood. */
    private static void pingFlood(InetSocketAddress server, String source) {
        try (RawDevice d = RawDevice.connect(server, source)) {
            d.handshake(Loopback.device(5_000), Loopback.PSK);
            for (int i = 0; i < 20; i++) {
                d.write(d.sealNext(PacketType.PING, new byte[0]));
            }
            d.readUntilClosed();
        } catch (Exception | AssertionError e) {
            throw new IllegalStateException(e);
        }
    }

    /** An authenticated device that asks for 1 800-byte answers and never reads them. */
    private static void neverReads(InetSocketAddress server, String source) {
        try (RawDevice d = RawDevice.connect(server, source, 4096)) {
            d.handshake(Loopback.device(6_000), Loopback.PSK);
            long end = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < end) {
                d.write(d.sealNext(PacketType.DATA, new byte[] {'e', 'c', 'h', 'o'}));
            }
        } catch (Exception | AssertionError e) {
            throw new IllegalStateException(e);
        }
    }
}
