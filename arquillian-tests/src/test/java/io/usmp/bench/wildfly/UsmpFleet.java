package io.usmp.bench.wildfly;

import io.usmp.crypto.UsmpCrypto;
import io.usmp.protocol.DeviceId;
import io.usmp.session.EngineEvent;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Simulated USMP devices in the driver JVM: the protocol library's sans-IO client engine over
 * non-blocking sockets, {@link #THREADS} selector threads. Device {@code i} connects from its own
 * source address (127.1.x.y), so the adapter's per-IP caps see a fleet, not one host.
 */
final class UsmpFleet implements WildFlyBench.Fleet {
    static final int THREADS = 2;
    private static final EngineSettings SETTINGS = EngineSettings.defaults(UsmpCrypto.defaults())
            .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(600), Duration.ofSeconds(600));

    private final List<List<Dev>> parts = new ArrayList<>();
    /** Per device, connect start to SESSION_OK of its first attempt, ns; -1 if that failed. */
    final long[] handshakeNanos;
    int firstAttemptFailed;
    /** Devices that failed a second attempt too (not in the fleet). */
    int failed;

    static DeviceId device(int i) {
        return DeviceId.fromHex(String.format("%012x", 0xC000_0000L + i));
    }

    static byte[] psk(int i) {
        byte[] k = new byte[32];
        for (int j = 0; j < k.length; j++) {
            k[j] = (byte) (i * 131 + j * 7 + 1);
        }
        return k;
    }

    static InetAddress source(int i) throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 1, (byte) (i / 250), (byte) (i % 250 + 1)});
    }

    /** One device: its engine, socket and what it still has to write. */
    static final class Dev {
        final int index;
        final SocketChannel ch;
        final UsmpEngine engine;
        final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        final byte[] message = new byte[Probe.SIZE];
        long seq;
        /** Messages sent asking for a reply whose reply has not come yet. */
        int awaiting;
        long started;
        boolean blocked;

        Dev(int index) throws IOException {
            this.index = index;
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            ch.bind(new InetSocketAddress(source(index), 0));
            engine = UsmpEngine.client(SETTINGS, device(index), psk(index), now());
        }

        /** Queues the next benchmark message (see {@link Probe}). */
        void sendNext(boolean reply) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(message);
            b.putInt(0, index).putLong(4, ++seq).putLong(12, System.nanoTime());
            message[20] = reply ? Probe.REPLY : 0;
            awaiting += reply ? 1 : 0;
            engine.send(message, now());
        }

        /** Writes what it can; true if some output is left for OP_WRITE. */
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

        /** Reads what arrived and returns the messages (replies) it completed. */
        List<byte[]> read() throws IOException {
            in.clear();
            int n = ch.read(in);
            if (n < 0) {
                throw new IOException("gateway closed device " + index);
            }
            engine.receive(in.array(), 0, n, now());
            List<byte[]> got = new ArrayList<>(0);
            for (EngineEvent e = engine.pollEvent(); e != null; e = engine.pollEvent()) {
                if (e instanceof EngineEvent.Message m) {
                    got.add(m.payload());
                    awaiting--;
                } else if (e instanceof EngineEvent.Closed c) {
                    throw new IOException("device " + index + " closed: " + c.reason());
                }
            }
            return got;
        }
    }

    static long now() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * Connects devices 0..n-1 to {@code port} all at once (every connect issued before the first
     * handshake completes) and records each one's handshake time. Devices whose first handshake failed
     * (as a real device would after its timeout) try once more; {@link #failed} counts those that could not.
     */
    UsmpFleet(int n, int port) throws Exception {
        handshakeNanos = new long[n];
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        List<List<Dev>> first = connect(all, server);
        List<Integer> again = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (handshakeNanos[i] < 0) {
                again.add(i);
            }
        }
        firstAttemptFailed = again.size();
        long[] firstTimes = handshakeNanos.clone();
        List<List<Dev>> retried = again.isEmpty() ? List.of() : connect(again, server);
        for (int i : again) {
            failed += handshakeNanos[i] < 0 ? 1 : 0;
        }
        System.arraycopy(firstTimes, 0, handshakeNanos, 0, n);
        for (int t = 0; t < THREADS; t++) {
            List<Dev> part = new ArrayList<>(first.get(t));
            if (!retried.isEmpty()) {
                part.addAll(retried.get(t));
            }
            parts.add(part);
        }
    }

    private List<List<Dev>> connect(List<Integer> devices, InetSocketAddress server) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<List<Dev>>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                List<Integer> mine = new ArrayList<>();
                for (int i = t; i < devices.size(); i += THREADS) {
                    mine.add(devices.get(i));
                }
                fs.add(pool.submit(() -> connectPart(mine, server)));
            }
            List<List<Dev>> done = new ArrayList<>();
            for (Future<List<Dev>> f : fs) {
                done.add(f.get());
            }
            return done;
        } finally {
            pool.shutdown();
        }
    }

    private List<Dev> connectPart(List<Integer> indices, InetSocketAddress server) throws IOException {
        List<Dev> mine = new ArrayList<>();
        List<Dev> done = new ArrayList<>();
        try (Selector sel = Selector.open()) {
            for (int i : indices) {
                Dev d = new Dev(i);
                mine.add(d);
                d.started = System.nanoTime();
                handshakeNanos[i] = -1;
                if (d.ch.connect(server)) {
                    d.engine.start(now());
                    d.flush();
                    d.ch.register(sel, SelectionKey.OP_READ, d);
                } else {
                    d.ch.register(sel, SelectionKey.OP_CONNECT, d);
                }
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            int left = mine.size();
            while (left > 0 && System.nanoTime() < deadline) {
                sel.select(100);
                for (SelectionKey k : sel.selectedKeys()) {
                    Dev d = (Dev) k.attachment();
                    try {
                        if (k.isConnectable()) {
                            d.ch.finishConnect();
                            d.engine.start(now());
                            d.flush();
                            k.interestOps(SelectionKey.OP_READ);
                            continue;
                        }
                        d.read();
                        d.flush();
                        if (d.engine.isEstablished()) {
                            handshakeNanos[d.index] = System.nanoTime() - d.started;
                            k.cancel();
                            done.add(d);
                            left--;
                        }
                    } catch (IOException | RuntimeException e) {
                        k.cancel();
                        d.ch.close();
                        left--;
                    }
                }
                sel.selectedKeys().clear();
            }
            sel.selectNow();
        }
        for (Dev d : mine) {
            if (!done.contains(d)) {
                d.ch.close();
            }
        }
        return done;
    }

    /** Restarts every device's sequence numbers (the MDB's order check starts over too). */
    @Override
    public void resetSequences() {
        parts.forEach(p -> p.forEach(d -> {
            d.seq = 0;
            d.awaiting = 0;
        }));
    }

    /** A device that dropped later fails the measurement that reads from it; here the ones that never connected. */
    @Override
    public void checkConnected() {
        if (failed > 0) {
            throw new IllegalStateException(String.format("USMP fleet: %d of %d devices could not connect (%d failed their"
                    + " first handshake, %d the retry too)", failed, handshakeNanos.length, firstAttemptFailed, failed));
        }
    }

    /** What a selector thread does with its devices; {@link #run} gives it a fresh selector. */
    interface Driver {
        void drive(List<Dev> mine, Selector sel) throws Exception;
    }

    /** Runs {@code driver} on every part, one thread each, and waits. */
    void run(Driver driver) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parts.size());
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (List<Dev> mine : parts) {
                fs.add(pool.submit(() -> {
                    try (Selector sel = Selector.open()) {
                        for (Dev d : mine) {
                            d.blocked = false;
                            d.ch.register(sel, SelectionKey.OP_READ, d);
                        }
                        driver.drive(mine, sel);
                        for (Dev d : mine) {
                            d.ch.keyFor(sel).cancel();
                        }
                        sel.selectNow();
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
    }

    /** Serves the selected keys: writes what is left, reads replies into {@code replies}. */
    static void serve(Selector sel, long timeoutMillis, ReplySink replies) throws IOException {
        if (timeoutMillis <= 0) {
            sel.selectNow();
        } else {
            sel.select(timeoutMillis);
        }
        for (SelectionKey k : sel.selectedKeys()) {
            Dev d = (Dev) k.attachment();
            if (k.isReadable()) {
                for (byte[] r : d.read()) {
                    replies.reply(r);
                }
            }
            if (k.isValid()) {
                d.blocked = d.flush();
                k.interestOps(d.blocked ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
            }
        }
        sel.selectedKeys().clear();
    }

    /** Receives a reply's payload. */
    interface ReplySink {
        void reply(byte[] payload);
    }

    /** Sends {@code d}'s output now, or waits for OP_WRITE if the socket is full. */
    static void flushOrWait(Dev d, Selector sel) throws IOException {
        d.blocked = d.flush();
        if (d.blocked) {
            d.ch.keyFor(sel).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    @Override
    public void close() {
        for (List<Dev> p : parts) {
            for (Dev d : p) {
                try {
                    d.ch.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
