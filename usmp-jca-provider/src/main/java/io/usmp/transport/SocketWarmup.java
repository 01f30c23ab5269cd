package io.usmp.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.usmp.ServerConfig;
import io.usmp.ServerListener;
import io.usmp.TransportKind;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.session.EngineEvent;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Whole sessions over loopback through a private gateway of the same configuration (its event
 * loops, its delivery executor, its crypto), before the real one opens its port: accept, admission,
 * handshake, delivery and close run as they will for devices. {@link io.usmp.session.Warmup}
 * compiles the engine in memory, but after a restart of the application server the socket path was
 * still interpreted when the fleet came back: 1 000 devices connecting the moment the port opened
 * took 0.9-1.3 s each on WildFly, the JIT compiler at half of the CPU (BENCHMARKS.md run G).
 *
 * <p>Once per class loader: compiled code belongs to the classes, so a later gateway with the same
 * classes (another activation, a redeployed MDB) skips it. The private gateway has its own
 * listener (which drops every message), statistics, random PSK and key pairs (made per handshake,
 * no reserve: see {@link TcpGateway#open}): its sessions reach nothing of the real gateway's.
 */
final class SocketWarmup {
    private static final System.Logger LOG = System.getLogger(SocketWarmup.class.getName());
    /** Enough for the path's hot methods to reach the C1 compiler and most to queue for C2 (run G). */
    static final int SESSIONS = 500;
    /** Sessions at once: more than the private gateway's handshake slots, so that waiting for a slot is warmed up too. */
    static final int PARALLEL = 16;
    static final int HANDSHAKE_SLOTS = 4;
    /** A slow or starved machine stops warming up and opens its port anyway. */
    static final long BUDGET_NANOS = 3_000_000_000L;
    /** Then the compiles it queued get this long at most to finish, so that they do not compete with the first storm. */
    static final long SETTLE_NANOS = 2_000_000_000L;
    private static final AtomicBoolean DONE = new AtomicBoolean();
    private static final ServerListener DROP = (session, payload) -> { };

    private SocketWarmup() {
    }

    /** Warms up for a gateway of {@code config} unless a warm-up already ran with these classes; never throws. */
    static void once(ServerConfig config) {
        if (DONE.compareAndSet(false, true)) {
            long start = System.nanoTime();
            int n = run(config, SESSIONS, BUDGET_NANOS);
            long warm = System.nanoTime();
            settleCompiler(SETTLE_NANOS);
            LOG.log(Level.INFO, "USMP socket warm-up: {0} sessions in {1} ms, then {2} ms for the compiler", n,
                    (warm - start) / 1_000_000, (System.nanoTime() - warm) / 1_000_000);
        }
    }

    /** Returns the number of sessions that completed a handshake within the budget. */
    static int run(ServerConfig config, int sessions, long budgetNanos) {
        long deadline = System.nanoTime() + budgetNanos;
        byte[] psk = new byte[32];
        config.random().nextBytes(psk);
        AtomicInteger completed = new AtomicInteger();
        Semaphore inFlight = new Semaphore(PARALLEL);
        TcpGateway gateway = null;
        try {
            gateway = TcpGateway.open(privateConfig(config, psk), DROP, Clock.SYSTEM, false);
            EngineSettings settings = EngineSettings.defaults(config.crypto());
            Bootstrap client = new Bootstrap().group(gateway.transport().group()).channel(NioSocketChannel.class);
            for (int i = 0; i < sessions; i++) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
                Device device = new Device(completed, inFlight);
                byte[] id = new byte[DeviceId.LENGTH];
                id[0] = (byte) (i >>> 8);
                id[1] = (byte) i;
                client.clone().handler(new EngineHandler(UsmpEngine.client(settings, DeviceId.of(id), psk, Clock.SYSTEM.millis()),
                                device, Clock.SYSTEM, new LongAdder(), new LongAdder()))
                        .connect(gateway.localAddress())
                        .addListener(f -> {
                            if (!f.isSuccess()) {
                                device.end();
                            }
                        });
            }
            inFlight.tryAcquire(PARALLEL, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // Warming up only speeds the first storm up; a failure here will show in real traffic.
            LOG.log(Level.WARNING, "socket warm-up failed: " + e);
        } finally {
            Arrays.fill(psk, (byte) 0);
            if (gateway != null) {
                gateway.close(1_000);
            }
        }
        return completed.get();
    }

    /** {@code config}'s transport, delivery and crypto on a loopback ephemeral port, for one random PSK. */
    private static ServerConfig privateConfig(ServerConfig config, byte[] psk) {
        return ServerConfig.builder(PskResolver.shared(psk))
                .bind(InetAddress.getLoopbackAddress().getHostAddress(), 0)
                .transports(EnumSet.of(TransportKind.TCP))
                .maxHandshakesPerIp(HANDSHAKE_SLOTS)
                .maxConcurrentHandshakes(HANDSHAKE_SLOTS)
                .transport(config.transport())
                .deliveryExecutor(config.deliveryExecutor())
                .deliveries(config.maxConcurrentDeliveries(), config.deliveryTurn())
                .crypto(config.crypto())
                .random(config.random())
                .build();
    }

    /**
     * Waits until the JIT compiler threads use less than a tenth of a core over 100 ms, or
     * {@code maxNanos}. Their CPU comes from /proc (Linux); elsewhere the compile time the JVM
     * reports, which grows only when a compile finishes.
     */
    static void settleCompiler(long maxNanos) {
        long deadline = System.nanoTime() + maxNanos;
        long before = compilerMillis();
        try {
            while (before >= 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                long now = compilerMillis();
                if (now - before < 10) {
                    return;
                }
                before = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** CPU milliseconds of this JVM's compiler threads so far, or -1 when neither source is there. */
    private static long compilerMillis() {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            long ticks = 0;
            for (Path task : tasks) {
                String comm = Files.readString(task.resolve("comm")).strip();
                if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                    String stat = Files.readString(task.resolve("stat"));
                    // Fields after the parenthesised name: state is 3rd, utime the 14th, stime the 15th.
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
            return ticks * 10; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
        }
    }

    /** A device: one message once established, then BYE; frees its slot when its session ends. */
    private static final class Device implements EngineHandler.Events {
        private final AtomicInteger completed;
        private final Semaphore inFlight;
        private final AtomicBoolean ended = new AtomicBoolean();

        Device(AtomicInteger completed, Semaphore inFlight) {
            this.completed = completed;
            this.inFlight = inFlight;
        }

        @Override
        public void established(SessionChannel channel, EngineEvent.Established event) {
            completed.incrementAndGet();
            channel.send(new byte[64]).whenComplete((v, e) -> channel.close());
        }

        @Override
        public boolean message(SessionChannel channel, byte[] payload) {
            return false;
        }

        @Override
        public void closed(SessionChannel channel, EngineEvent.Closed event) {
            end();
        }

        void end() {
            if (ended.compareAndSet(false, true)) {
                inFlight.release();
            }
        }
    }
}
