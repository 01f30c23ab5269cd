package io.usmp.bench;

import io.usmp.crypto.UsmpCrypto;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskKeyStore;
import io.usmp.session.EngineEvent;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.KeyAgreement;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Load against the standalone CLI gateway ({@code usmp.jar gateway --keystore … --echo --quiet
 * --stats}) in its own JVM over loopback, so its CPU is the gateway's alone (read from the gateway
 * process through its {@code --stats} line). The driver is this JVM: sans-IO client engines over
 * NIO, 1 000 connections spread over 127.0.0.0/8 source addresses (the per-IP cap is 256).
 * Prints markdown tables with the bound measured in the same run beside each figure.
 * <p>{@code BenchMain load [quick]} runs it; {@code quick} shrinks every count for a smoke check.
 * System properties for A/B runs and profiles: {@code bench.load.parts} (comma-separated subset of
 * {@code handshakes,echo,latency,idle,telemetry,storm}; all by default), {@code bench.gateway.classpath} (the
 * gateway JVM's class path, e.g. the classes of an earlier commit; this JVM's by default) and
 * {@code bench.gateway.jvmArgs} (extra JVM options for the gateway, space-separated, e.g. JFR);
 * {@code bench.load.devices} and {@code bench.load.sizes} narrow the echo table (e.g. {@code 100} and {@code 452});
 * {@code bench.load.handshakeRounds} repeats the handshake rows (2 by default), after a warm-up of batches of
 * handshakes until the gateway's JIT has settled, at most {@code bench.load.handshakeWarmupBatches} (40);
 * {@code bench.load.idleHoldSeconds}
 * keeps the idle sessions open that long after each measurement (for {@code jcmd <pid> GC.class_histogram});
 * {@code bench.load.idleWaitSeconds} adds a third idle row, measured that long after the echoes (past the
 * gateway's cipher idle release, {@link EngineSettings#DEFAULT_CIPHER_IDLE_RELEASE}, say).
 */
public final class LoadHarness {
    private static final char[] PASSWORD = "bench-password".toCharArray();
    private final boolean quick;
    private final PrintStream out = System.out;
    private final EngineSettings settings = EngineSettings.defaults(UsmpCrypto.defaults())
            .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(600), Duration.ofSeconds(600));
    private Process gateway;
    private BufferedReader gwOut;
    private OutputStream gwIn;
    private InetSocketAddress server;

    private LoadHarness(boolean quick) {
        this.quick = quick;
    }

    public static void main(String[] args) throws Exception {
        new LoadHarness(args.length > 0 && args[0].equals("quick")).run();
    }

    static DeviceId device(int i) {
        return DeviceId.fromHex(String.format("%012x", 0xB000_0000L + i));
    }

    static byte[] psk(int i) {
        byte[] k = new byte[32];
        for (int j = 0; j < k.length; j++) {
            k[j] = (byte) (i * 131 + j * 7);
        }
        return k;
    }

    /** Source address of the n-th connection: 200 per address, from 127.1.0.1 up. */
    static InetAddress source(int n) throws IOException {
        int a = n / 200;
        return InetAddress.getByAddress(new byte[] {127, 1, (byte) (a / 250), (byte) (a % 250 + 1)});
    }

    private static boolean part(String name) {
        String parts = System.getProperty("bench.load.parts", "");
        return parts.isBlank() || Arrays.asList(parts.split(",")).contains(name);
    }

    private static int[] ints(String property, int[] otherwise) {
        String v = System.getProperty(property, "");
        return v.isBlank() ? otherwise : Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private void run() throws Exception {
        int devices = quick ? 300 : 10_000;
        Path dir = Files.createTempDirectory("usmp-load");
        Path ks = dir.resolve("devices.p12");
        long t0 = System.nanoTime();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, PASSWORD);
        PskKeyStore w = PskKeyStore.open(store, PASSWORD);
        for (int i = 0; i < devices; i++) {
            w.put(device(i), psk(i));
        }
        try (OutputStream o = Files.newOutputStream(ks)) {
            store.store(o, PASSWORD);
        }
        out.printf(Locale.ROOT, "key store of %d devices written in %.1f s%n", devices, (System.nanoTime() - t0) / 1e9);
        startGateway(ks, true);
        try {
            if (part("handshakes")) {
                handshakeTable();
            }
            if (part("echo")) {
                echoTable();
            }
            if (part("latency")) {
                latencyTable();
            }
            if (part("idle")) {
                idleTable(devices);
            }
            if (part("telemetry")) {
                // one-way traffic, as a fleet reporting telemetry sends it: a gateway that only receives
                stopGateway();
                startGateway(ks, false);
                telemetryTable();
            }
            if (part("storm")) {
                stormTable(ks);
            }
        } finally {
            stopGateway();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void handshakeTable() throws Exception {
        int perBatch = quick ? 160 : 2000;
        int maxBatches = Integer.getInteger("bench.load.handshakeWarmupBatches", quick ? 1 : 40);
        // Warm-up until the gateway's JIT has settled: C1/C2 compile for tens of thousands of
        // handshakes on 2 loaded cores, and a figure measured before that is mostly compilation.
        // Both shapes the table measures, in every batch: compiled for the parallel shape only, the
        // first sequential row recompiled what it found different (EngineHandler.pump, the HMAC).
        long t0 = System.nanoTime();
        Row first = null;
        Row sequential = null;
        Row last = null;
        boolean settled = false;
        int batches = 0;
        while (batches < maxBatches && !settled) {
            sequential = handshakes(1, perBatch / 4);
            last = handshakes(16, perBatch);
            settled = sequential.settled() && last.settled();
            first = first == null ? last : first;
            batches++;
            if (last.threads == null) {
                maxBatches = Math.min(maxBatches, 10); // no /proc: a fixed warm-up
            }
        }
        out.println();
        out.printf(Locale.ROOT, "handshake warm-up: %d batch(es) of %d sequential and %d 16 in parallel handshakes, %.0f s (first"
                + " parallel batch: %.0f µs of gateway CPU per handshake, last: %.0f µs); %s%n", batches, perBatch / 4, perBatch,
                (System.nanoTime() - t0) / 1e9, first.cpuNs / 1e3 / first.done, last.cpuNs / 1e3 / last.done,
                last.threads == null ? "no /proc: JIT share unknown, fixed count"
                        : String.format(Locale.ROOT, "stops once the gateway's JIT threads take < %.0f %% of its CPU in both batches "
                                + "(last: %.1f %% and %.1f %%%s)", SETTLED_JIT_SHARE * 100, sequential.jitShare() * 100,
                                last.jitShare() * 100, settled ? ""
                                        : ", limit of " + maxBatches + " reached: not settled"));
        double bound = x25519Bound();
        out.println();
        out.println("### Handshakes (gateway process CPU; bound: X25519 keygen+agreement, Bouncy Castle, driver JVM, same run)");
        out.println();
        out.println("Gateway CPU split by thread from /proc (I/O threads with their system time, delivery threads, JIT, the rest: GC, VM).");
        out.println();
        out.println("| mode | handshakes/s | server CPU per handshake | I/O (sys) | delivery | JIT | other | bound | ratio |");
        out.println("|---|---|---|---|---|---|---|---|---|");
        for (int round = Integer.getInteger("bench.load.handshakeRounds", 2); round > 0; round--) {
            print(handshakes(1, quick ? 100 : 1000), bound);
            print(handshakes(16, perBatch), bound);
        }
        bound = x25519Bound();
        out.printf(Locale.ROOT, "(bound re-measured after: %.0f µs)%n", bound);
    }

    private void echoTable() throws Exception {
        out.println();
        out.println("### Echo throughput (window 8 per device; server CPU and allocation per echoed message, in + out)");
        out.println();
        out.println("| devices | size (B) | echoes/s | server CPU per message | server alloc per message |");
        out.println("|---|---|---|---|---|");
        int[] counts = ints("bench.load.devices", quick ? new int[] {1, 20} : new int[] {1, 100, 1000});
        for (int d : counts) {
            List<Dev> fleet = connect(d, 0);
            for (int size : ints("bench.load.sizes", new int[] {16, 452, 1808})) {
                echo(fleet, size, 8, quick ? 0.5 : 1.0, false); // warm-up
                echo(fleet, size, 8, quick ? 0.5 : 3.0, true);
            }
            closeAll(fleet);
        }
    }

    private void latencyTable() throws Exception {
        out.println();
        out.println("### Echo latency (1 device, one message in flight)");
        out.println();
        out.println("| size (B) | echoes | p50 | p99 | p99.9 |");
        out.println("|---|---|---|---|---|");
        List<Dev> one = connect(1, 0);
        for (int size : new int[] {16, 452, 1808}) {
            latency(one.get(0), size, quick ? 200 : 1000, false); // warm-up
            latency(one.get(0), size, quick ? 500 : 5000, true);
        }
        closeAll(one);
    }

    private void idleTable(int devices) throws Exception {
        out.println();
        out.println("### Idle sessions");
        out.println();
        Thread.sleep(500);
        long before = heap();
        List<Dev> idle = connectParallel(devices, 4);
        out.printf(Locale.ROOT, "| sessions | state | heap before | heap after | heap per idle session | target |%n|---|---|---|---|---|---|%n");
        idleRow(idle.size(), "handshake only", before);
        // A device that has talked once holds what its first frames set up (its ciphers, say).
        byte[] message = new byte[16];
        for (Dev d : idle) {
            latencyEcho(d, message);
        }
        idleRow(idle.size(), "after one echo each", before);
        int wait = Integer.getInteger("bench.load.idleWaitSeconds", 0);
        if (wait > 0) {
            Thread.sleep(1000L * wait);
            idleRow(idle.size(), "after one echo each, then " + wait + " s idle", before);
        }
        closeAll(idle);
    }

    /** One row of the idle table: the gateway's heap now against {@code before}, then the hold time. */
    private void idleRow(int sessions, String state, long before) throws Exception {
        long now = heap();
        out.printf(Locale.ROOT, "| %d | %s | %.1f MiB | %.1f MiB | %.0f B | 4096 B |%n", sessions, state, before / 1048576.0,
                now / 1048576.0, (now - before) / (double) sessions);
        out.flush();
        Thread.sleep(1000L * Integer.getInteger("bench.load.idleHoldSeconds", 0)); // time for a class histogram
    }

    private void stopGateway() throws InterruptedException {
        gateway.destroy();
        gateway.waitFor();
    }

    private void startGateway(Path ks, boolean echo) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx1g"));
        String jvmArgs = System.getProperty("bench.gateway.jvmArgs", "");
        if (!jvmArgs.isBlank()) {
            command.addAll(Arrays.asList(jvmArgs.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("bench.gateway.classpath", System.getProperty("java.class.path")),
                "io.usmp.cli.Main", "gateway", "--port", "0", "--keystore", ks.toString(), "--quiet", "--stats",
                "--max-connections", "20000", "--max-handshakes", "32", "--session-timeout", "600"));
        if (echo) {
            command.add("--echo");
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("USMP_KEYSTORE_PASSWORD", new String(PASSWORD));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        gateway = pb.start();
        gwOut = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.US_ASCII));
        gwIn = gateway.getOutputStream();
        String ready = gwOut.readLine();
        // JVM diagnostics may come first (JVM log lines, a JFR or profiler agent's start line).
        for (int skipped = 0; ready != null && !ready.startsWith("READY ") && skipped < 100; skipped++) {
            ready = gwOut.readLine();
        }
        if (ready == null || !ready.startsWith("READY tcp ")) {
            gateway.destroy();
            throw new IOException("gateway did not start: " + ready);
        }
        String hp = ready.substring("READY tcp ".length());
        server = new InetSocketAddress(hp.substring(0, hp.lastIndexOf(':')), Integer.parseInt(hp.substring(hp.lastIndexOf(':') + 1)));
        out.printf(Locale.ROOT, "gateway pid %d ready on %s in %.2f s (JVM start, key store load, warm-up)%n", gateway.pid(), hp,
                (System.nanoTime() - t0) / 1e9);
    }

    private synchronized String ask(String command, String prefix) throws IOException {
        gwIn.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
        gwIn.flush();
        for (String line = gwOut.readLine(); line != null; line = gwOut.readLine()) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("gateway closed its output");
    }

    /** The gateway's {@code [cpu_ns, alloc_bytes, messages_in]}. */
    private long[] stats() throws IOException {
        String line = ask("STATS", "STATS ");
        long[] s = new long[3];
        for (String part : line.split(" ")) {
            if (part.startsWith("cpu_ns=")) {
                s[0] = Long.parseLong(part.substring(7));
            } else if (part.startsWith("alloc_bytes=")) {
                s[1] = Long.parseLong(part.substring(12));
            } else if (part.startsWith("messages_in=")) {
                s[2] = Long.parseLong(part.substring(12));
            }
        }
        return s;
    }

    private long heap() throws IOException {
        return Long.parseLong(ask("HEAP", "HEAP ").substring("HEAP used=".length()));
    }

    /**
     * X25519 key pair plus agreement, µs each, in this thread's CPU time (like the gateway's figure,
     * which is CPU time: on a loaded machine wall time would inflate the bound and flatter the ratio).
     * Batches of 300 run until the JIT is done with them: the median of the last 5 batches no longer
     * beats the 5 before it by 2 % (at most 60 batches). A fixed two-batch warm-up measured 174 µs at
     * a run's start and 121 µs at its end, which made the ratio look better than it was.
     */
    private static double x25519Bound() throws Exception {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        var bc = new BouncyCastleProvider();
        KeyPairGenerator g = KeyPairGenerator.getInstance("X25519", bc);
        KeyAgreement ka = KeyAgreement.getInstance("X25519", bc);
        KeyPair peer = g.generateKeyPair();
        List<Double> batches = new ArrayList<>();
        while (true) {
            long t = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < 300; i++) {
                KeyPair kp = g.generateKeyPair();
                ka.init(kp.getPrivate());
                ka.doPhase(peer.getPublic(), true);
                ka.generateSecret();
            }
            batches.add((threads.getCurrentThreadCpuTime() - t) / 300 / 1e3);
            int n = batches.size();
            if (n >= 10) {
                double recent = median(batches.subList(n - 5, n));
                if (recent >= 0.98 * median(batches.subList(n - 10, n - 5)) || n == 60) {
                    return recent;
                }
            }
        }
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v[v.length / 2];
    }

    // ------------------------------------------------------------------ devices

    /** One device connection driven by a client engine. */
    final class Dev {
        final int index;
        final SocketChannel ch;
        final UsmpEngine engine;
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
        final ArrayDeque<Long> sentAt = new ArrayDeque<>();
        int inFlight;

        Dev(int index, InetAddress from) throws IOException {
            this.index = index;
            ch = SocketChannel.open();
            ch.bind(new InetSocketAddress(from, 0));
            ch.connect(server);
            ch.socket().setTcpNoDelay(true);
            engine = UsmpEngine.client(settings, device(index), psk(index), now());
        }

        /** Blocking handshake. */
        void handshake() throws IOException {
            engine.start(now());
            flushBlocking();
            while (!engine.isEstablished()) {
                readBlocking();
                flushBlocking();
                if (engine.isClosed()) {
                    throw new IOException("handshake of device " + index + " failed: " + engine.pollEvent());
                }
            }
            engine.pollEvent();
        }

        void flushBlocking() throws IOException {
            for (byte[] f = engine.pollOutput(); f != null; f = engine.pollOutput()) {
                ByteBuffer b = ByteBuffer.wrap(f);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }

        void readBlocking() throws IOException {
            in.clear();
            int n = ch.read(in);
            if (n < 0) {
                throw new IOException("gateway closed device " + index);
            }
            engine.receive(in.array(), 0, n, now());
        }

        /** Queues output for a non-blocking channel; returns whether some is left unwritten. */
        boolean flush() throws IOException {
            for (byte[] f = engine.pollOutput(); f != null; f = engine.pollOutput()) {
                pending.add(ByteBuffer.wrap(f));
            }
            while (!pending.isEmpty()) {
                ByteBuffer b = pending.peek();
                ch.write(b);
                if (b.hasRemaining()) {
                    return true;
                }
                pending.poll();
            }
            return false;
        }

        void close() {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }

    private List<Dev> connect(int n, int offset) throws IOException {
        List<Dev> fleet = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Dev d = new Dev(offset + i, source(offset + i));
            d.handshake();
            fleet.add(d);
        }
        return fleet;
    }

    private List<Dev> connectParallel(int n, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Dev>>> parts = new ArrayList<>();
            int per = n / threads;
            for (int t = 0; t < threads; t++) {
                int from = t * per;
                int count = t == threads - 1 ? n - from : per;
                parts.add(pool.submit(() -> connect(count, from)));
            }
            List<Dev> all = new ArrayList<>();
            for (Future<List<Dev>> f : parts) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdown();
        }
    }

    private static void closeAll(List<Dev> fleet) throws InterruptedException {
        fleet.forEach(Dev::close);
        Thread.sleep(300);
    }

    /** A JIT share of the gateway's CPU in a batch below which the warm-up counts it as settled. */
    private static final double SETTLED_JIT_SHARE = 0.05;

    /** One batch of handshakes: how many, how long, the gateway's CPU and its split by thread (null without /proc). */
    private record Row(int parallel, int done, double secs, long cpuNs, ThreadCpu threads) {
        double jitShare() {
            return threads == null ? 0 : threads.jit / (double) Math.max(1, threads.total());
        }

        boolean settled() {
            return threads != null && jitShare() < SETTLED_JIT_SHARE;
        }
    }

    private void print(Row r, double bound) {
        double cpuUs = r.cpuNs / 1e3 / r.done;
        String split = "- | - | - | -";
        if (r.threads != null) {
            ThreadCpu t = r.threads;
            double tick = ThreadCpu.TICK_NS / 1e3 / r.done;
            split = String.format(Locale.ROOT, "%.0f (%.0f) µs | %.0f µs | %.0f µs | %.0f µs", t.io * tick, t.ioSys * tick,
                    t.delivery * tick, t.jit * tick, t.other * tick);
        }
        out.printf(Locale.ROOT, "| %s | %.0f | %.0f µs | %s | %.0f µs | %.2f x |%n", r.parallel == 1 ? "sequential" : r.parallel + " in parallel",
                r.done / r.secs, cpuUs, split, bound, cpuUs / bound);
        out.flush();
    }

    /**
     * CPU of the gateway's threads by kind, in clock ticks, from {@code /proc/<pid>/task} (Linux):
     * summed over the threads alive when read, so a thread that ended in between is missed (the
     * gateway's own threads live as long as it does).
     */
    private record ThreadCpu(long io, long ioSys, long delivery, long jit, long other) {
        /** {@code USER_HZ}: 100 on every Linux architecture the JDK runs on. */
        static final long TICK_NS = 10_000_000;

        long total() {
            return io + delivery + jit + other;
        }

        ThreadCpu minus(ThreadCpu o) {
            return new ThreadCpu(io - o.io, ioSys - o.ioSys, delivery - o.delivery, jit - o.jit, other - o.other);
        }
    }

    private ThreadCpu threadCpu() {
        Path tasks = Path.of("/proc", Long.toString(gateway.pid()), "task");
        long io = 0;
        long ioSys = 0;
        long delivery = 0;
        long jit = 0;
        long other = 0;
        try (var dirs = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) dirs::iterator) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"), StandardCharsets.US_ASCII);
                } catch (IOException gone) {
                    continue; // the thread ended
                }
                // pid (comm) state ...: fields after the comm, utime and stime are the 12th and 13th.
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long user = Long.parseLong(f[11]);
                long sys = Long.parseLong(f[12]);
                if (comm.startsWith("usmp-gateway-io")) {
                    io += user + sys;
                    ioSys += sys;
                } else if (comm.startsWith("usmp-delivery")) {
                    delivery += user + sys;
                } else if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                    jit += user + sys;
                } else {
                    other += user + sys;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null; // no /proc (not Linux) or an unexpected format: the split is left out
        }
        return new ThreadCpu(io, ioSys, delivery, jit, other);
    }

    private Row handshakes(int parallel, int total) throws Exception {
        long[] s0 = stats();
        ThreadCpu c0 = threadCpu();
        long t0 = System.nanoTime();
        AtomicLong failed = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < parallel; t++) {
                int thread = t;
                fs.add(pool.submit(() -> {
                    InetAddress from = InetAddress.getByAddress(new byte[] {127, 2, 0, (byte) (thread + 1)});
                    int per = total / parallel;
                    for (int i = 0; i < per; i++) {
                        Dev d = new Dev(thread * per + i, from); // distinct devices: a reconnect would close the other
                        try {
                            d.handshake();
                        } catch (IOException e) {
                            // On a loaded machine this driver may stall past the gateway's HELLO timeout:
                            // counted and left out of the figures, not a reason to lose the run.
                            failed.incrementAndGet();
                        } finally {
                            d.close();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long[] s1 = stats();
        ThreadCpu c1 = threadCpu();
        if (failed.get() > 0) {
            out.printf(Locale.ROOT, "(%d of %d handshakes failed, left out)%n", failed.get(), total / parallel * parallel);
        }
        return new Row(parallel, (int) (total / parallel * parallel - failed.get()), secs, s1[0] - s0[0],
                c0 == null || c1 == null ? null : c1.minus(c0));
    }

    /** Every device keeps {@code window} echoes in flight for {@code seconds}; two selector threads. */
    private void echo(List<Dev> fleet, int size, int window, double seconds, boolean print) throws Exception {
        byte[] message = new byte[size];
        AtomicLong echoes = new AtomicLong();
        long[] s0 = stats();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        for (Future<?> f : onDriverThreads(fleet, mine -> driveEcho(mine, message, window, end, echoes))) {
            f.get();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long[] s1 = stats();
        long n = echoes.get();
        if (print) {
            out.printf(Locale.ROOT, "| %d | %d | %.0f | %.1f µs | %.0f B |%n", fleet.size(), size, n / secs,
                    (s1[0] - s0[0]) / 1e3 / n, (s1[1] - s0[1]) / (double) n);
        }
    }

    private void driveEcho(List<Dev> mine, byte[] message, int window, long end, AtomicLong echoes) throws Exception {
        try (Selector sel = Selector.open()) {
            for (Dev d : mine) {
                d.ch.configureBlocking(false);
                d.ch.register(sel, SelectionKey.OP_READ, d);
                for (int i = 0; i < window; i++) {
                    d.engine.send(message, now());
                    d.inFlight++;
                }
                if (d.flush()) {
                    d.ch.keyFor(sel).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                }
            }
            long local = 0;
            boolean draining = false;
            while (true) {
                long t = System.nanoTime();
                if (t >= end) {
                    draining = true;
                }
                if (draining && mine.stream().allMatch(d -> d.inFlight == 0)) {
                    break;
                }
                if (t >= end + 5_000_000_000L) {
                    break; // lost echoes: give up draining
                }
                sel.select(100);
                for (SelectionKey k : sel.selectedKeys()) {
                    Dev d = (Dev) k.attachment();
                    if (k.isReadable()) {
                        d.in.clear();
                        int r = d.ch.read(d.in);
                        if (r < 0) {
                            throw new IOException("gateway closed device " + d.index);
                        }
                        d.engine.receive(d.in.array(), 0, r, now());
                        for (EngineEvent e = d.engine.pollEvent(); e != null; e = d.engine.pollEvent()) {
                            if (e instanceof EngineEvent.Message) {
                                d.inFlight--;
                                local++;
                                if (!draining) {
                                    d.engine.send(message, now());
                                    d.inFlight++;
                                }
                            } else if (e instanceof EngineEvent.Closed c) {
                                throw new IOException("device " + d.index + " closed: " + c.reason());
                            }
                        }
                    }
                    boolean left = d.flush();
                    k.interestOps(left ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                }
                sel.selectedKeys().clear();
            }
            echoes.addAndGet(local);
            for (Dev d : mine) {
                d.ch.keyFor(sel).cancel();
            }
            sel.selectNow();
            for (Dev d : mine) {
                d.ch.configureBlocking(true);
                d.inFlight = 0;
            }
        }
    }

    interface Drive {
        void run(List<Dev> mine) throws Exception;
    }

    /** Splits the fleet over two driver threads (the machine has two cores) and starts {@code drive} on each share. */
    private static List<Future<?>> onDriverThreads(List<Dev> fleet, Drive drive) {
        int threads = Math.min(2, fleet.size());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Dev> mine = new ArrayList<>();
            for (int i = t; i < fleet.size(); i += threads) {
                mine.add(fleet.get(i));
            }
            fs.add(pool.submit(() -> {
                drive.run(mine);
                return null;
            }));
        }
        pool.shutdown();
        return fs;
    }

    private void telemetryTable() throws Exception {
        out.println();
        out.println("### Telemetry throughput (devices → gateway, no reply; gateway without `--echo`; server CPU and allocation "
                + "per received message)");
        out.println();
        out.println("| devices | size (B) | msgs/s received | server CPU per message | server alloc per message | target |");
        out.println("|---|---|---|---|---|---|");
        for (int d : ints("bench.load.devices", quick ? new int[] {1, 20} : new int[] {1, 100, 1000})) {
            List<Dev> fleet = connect(d, 0);
            int[] sizes = ints("bench.load.sizes", new int[] {16, 452, 1808});
            for (int size : sizes) {
                telemetry(fleet, size, quick ? 0.5 : 2.0, false); // a fresh gateway: every size's path compiled first
            }
            for (int size : sizes) {
                telemetry(fleet, size, quick ? 0.5 : 3.0, true);
            }
            closeAll(fleet);
        }
    }

    /**
     * Devices send as fast as the gateway takes them: TCP holds them back (the gateway stops reading
     * a device whose messages wait for its listener), so nothing polls the gateway while it works.
     * The figures cover a window inside the sending, after a ramp-up, so neither the start nor the
     * drain is counted; every message sent must have arrived at the end.
     */
    private void telemetry(List<Dev> fleet, int size, double seconds, boolean print) throws Exception {
        byte[] message = new byte[size];
        long before = stats()[2];
        AtomicLong sent = new AtomicLong();
        long start = System.nanoTime();
        long end = start + (long) ((seconds + 0.5) * 1e9);
        List<Future<?>> drivers = onDriverThreads(fleet, mine -> driveTelemetry(mine, message, end, sent));
        Thread.sleep(500);
        long ta = System.nanoTime();
        long[] a = stats();
        Thread.sleep((long) (seconds * 1000));
        long tb = System.nanoTime();
        long[] b = stats();
        for (Future<?> f : drivers) {
            f.get();
        }
        long received = stats()[2] - before;
        for (long deadline = System.nanoTime() + 10_000_000_000L; received < sent.get() && System.nanoTime() < deadline;) {
            Thread.sleep(20);
            received = stats()[2] - before;
        }
        if (received != sent.get()) {
            throw new IOException("the gateway received " + received + " of " + sent.get() + " messages");
        }
        long n = b[2] - a[2];
        if (print) {
            out.printf(Locale.ROOT, "| %d | %d | %.0f | %.1f µs | %.0f B | %s |%n", fleet.size(), size, n / ((tb - ta) / 1e9),
                    (b[0] - a[0]) / 1e3 / n, (b[1] - a[1]) / (double) n, size == 452 && fleet.size() == 100 ? "≥ 50 000 msgs/s" : "");
            out.flush();
        }
    }

    /** Sends batches of four per device whose socket took the last ones; waits only when every socket is full. */
    private static void driveTelemetry(List<Dev> mine, byte[] message, long end, AtomicLong sent) throws Exception {
        try (Selector sel = Selector.open()) {
            for (Dev d : mine) {
                d.ch.configureBlocking(false);
                d.ch.register(sel, 0, d);
            }
            long local = 0;
            for (long t = System.nanoTime(); t < end; t = System.nanoTime()) {
                boolean progress = false;
                for (Dev d : mine) {
                    if (d.pending.isEmpty()) {
                        for (int k = 0; k < 4; k++) {
                            d.engine.send(message, now());
                        }
                        local += 4;
                        progress = true;
                    }
                    d.ch.keyFor(sel).interestOps(d.flush() ? SelectionKey.OP_WRITE : 0);
                }
                if (!progress) {
                    sel.select(1);
                    sel.selectedKeys().clear();
                }
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            for (Dev d : mine) {
                while (d.flush() && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(100_000);
                }
                d.ch.keyFor(sel).cancel();
            }
            sent.addAndGet(local);
            sel.selectNow();
            for (Dev d : mine) {
                d.ch.configureBlocking(true);
            }
        }
    }

    /**
     * A gateway restart: a fresh gateway JVM, and at once every device of the fleet connects, each
     * from its own source address (one thread per device, released together). The time of a
     * handshake runs from its connect to SESSION_OK; an upstream C device gives up after 500 ms.
     */
    private void stormTable(Path ks) throws Exception {
        int devices = Integer.getInteger("bench.load.stormDevices", quick ? 100 : 1000);
        out.println();
        out.printf(Locale.ROOT, "### %d devices connecting at once to a gateway just started (fresh JVM, its start-up warm-up "
                + "done; each device its own source address)%n%n", devices);
        out.println("| round | handshakes ok | failed | p50 | p99 | max | > 500 ms | gateway CPU per handshake (JIT included) "
                + "| of which I/O threads (system) | JIT compiler | GC and other |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (int round = 1; round <= Integer.getInteger("bench.load.stormRounds", 2); round++) {
            stopGateway();
            startGateway(ks, true);
            long cpu0 = stats()[0];
            ThreadCpu split0 = threadCpu();
            long[] nanos = new long[devices];
            Dev[] fleet = new Dev[devices];
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                int index = i;
                Thread t = new Thread(() -> {
                    nanos[index] = -1;
                    try {
                        go.await();
                        long t0 = System.nanoTime();
                        fleet[index] = new Dev(index, InetAddress.getByAddress(
                                new byte[] {127, 2, (byte) (index / 250), (byte) (index % 250 + 1)}));
                        fleet[index].handshake();
                        nanos[index] = System.nanoTime() - t0;
                    } catch (IOException | InterruptedException e) {
                        // counted as failed
                    }
                }, "storm-" + i);
                t.start();
                threads.add(t);
            }
            go.countDown();
            for (Thread t : threads) {
                t.join(60_000);
            }
            long cpu = stats()[0] - cpu0;
            ThreadCpu split = split0 == null ? null : threadCpu().minus(split0);
            long[] ok = Arrays.stream(nanos).filter(n -> n >= 0).sorted().toArray();
            double tick = ThreadCpu.TICK_NS / 1e3 / Math.max(1, ok.length);
            out.printf(Locale.ROOT, "| %d | %d | %d | %.0f ms | %.0f ms | %.0f ms | %d | %.0f µs | %s |%n", round, ok.length,
                    devices - ok.length, pct(ok, 0.5), pct(ok, 0.99), ok.length == 0 ? Double.NaN : ok[ok.length - 1] / 1e6,
                    Arrays.stream(ok).filter(n -> n > 500_000_000L).count(), cpu / 1e3 / Math.max(1, ok.length),
                    split == null ? "- | - | -" : String.format(Locale.ROOT, "%.0f (%.0f) µs | %.0f µs | %.0f µs", split.io * tick,
                            split.ioSys * tick, split.jit * tick, (split.delivery + split.other) * tick));
            out.flush();
            for (Dev d : fleet) {
                if (d != null) {
                    d.close();
                }
            }
        }
    }

    private static double pct(long[] sortedNanos, double p) {
        return sortedNanos.length == 0 ? Double.NaN : sortedNanos[Math.min(sortedNanos.length - 1, (int) (sortedNanos.length * p))] / 1e6;
    }

    /** Sends one message and waits for its echo. */
    private static void latencyEcho(Dev d, byte[] message) throws Exception {
        d.engine.send(message, now());
        d.flushBlocking();
        boolean got = false;
        while (!got) {
            d.readBlocking();
            for (EngineEvent e = d.engine.pollEvent(); e != null; e = d.engine.pollEvent()) {
                got |= e instanceof EngineEvent.Message;
            }
        }
    }

    private void latency(Dev d, int size, int count, boolean print) throws Exception {
        byte[] message = new byte[size];
        long[] rtt = new long[count];
        for (int i = 0; i < count; i++) {
            long t = System.nanoTime();
            latencyEcho(d, message);
            rtt[i] = System.nanoTime() - t;
        }
        Arrays.sort(rtt);
        if (!print) {
            return;
        }
        out.printf(Locale.ROOT, "| %d | %d | %.0f µs | %.0f µs | %.0f µs |%n", size, count, rtt[count / 2] / 1e3,
                rtt[(int) (count * 0.99)] / 1e3, rtt[Math.min(count - 1, (int) (count * 0.999))] / 1e3);
    }
}
