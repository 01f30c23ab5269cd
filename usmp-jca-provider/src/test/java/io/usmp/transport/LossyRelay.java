package io.usmp.transport;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay for tests between devices and a gateway, on loopback: it drops, duplicates and
 * reorders (delays by a few ms) datagrams in both directions, from one seeded {@link Random}.
 * Devices send to {@link #address()}; for each device source the relay uses its own upstream
 * socket (bound to {@code upstreamHost}), which is the address the gateway sees. Tests can send
 * spoofed datagrams from that address with {@link #injectUpstream}.
 */
final class LossyRelay implements AutoCloseable {
    private final DatagramSocket front;
    private final InetSocketAddress gateway;
    private final String upstreamHost;
    private final double loss;
    private final double duplicate;
    private final double reorder;
    private final Random random;
    private final Map<SocketAddress, DatagramSocket> upstream = new ConcurrentHashMap<>();
    private final ScheduledExecutorService delayed = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "relay-delay");
        t.setDaemon(true);
        return t;
    });
    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();
    private volatile boolean closed;

    LossyRelay(InetSocketAddress gateway, String upstreamHost, double loss, double duplicate, double reorder, long seed)
            throws IOException {
        this.front = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        this.gateway = gateway;
        this.upstreamHost = upstreamHost;
        this.loss = loss;
        this.duplicate = duplicate;
        this.reorder = reorder;
        this.random = new Random(seed);
        Thread t = new Thread(this::frontLoop, "relay-front");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    /** The address the gateway sees for the first device (its upstream socket), or null before it sent. */
    InetSocketAddress upstreamAddress() {
        return upstream.values().stream().findFirst().map(s -> (InetSocketAddress) s.getLocalSocketAddress()).orElse(null);
    }

    /** Sends {@code data} to the gateway from the first device's upstream socket (a spoofed source). */
    void injectUpstream(byte[] data) throws IOException {
        DatagramSocket s = upstream.values().stream().findFirst().orElseThrow();
        s.send(new DatagramPacket(data, data.length, gateway));
    }

    private void frontLoop() {
        byte[] buf = new byte[2048];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                front.receive(p);
            } catch (IOException e) {
                return;
            }
            SocketAddress device = p.getSocketAddress();
            byte[] data = Arrays.copyOf(p.getData(), p.getLength());
            DatagramSocket up = upstream.computeIfAbsent(device, this::openUpstream);
            if (up != null) {
                relay(up, data, gateway);
            }
        }
    }

    private DatagramSocket openUpstream(SocketAddress device) {
        try {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(upstreamHost), 0));
            Thread t = new Thread(() -> backLoop(s, device), "relay-back");
            t.setDaemon(true);
            t.start();
            return s;
        } catch (IOException e) {
            return null;
        }
    }

    private void backLoop(DatagramSocket s, SocketAddress device) {
        byte[] buf = new byte[2048];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (IOException e) {
                return;
            }
            relay(front, Arrays.copyOf(p.getData(), p.getLength()), device);
        }
    }

    private void relay(DatagramSocket out, byte[] data, SocketAddress to) {
        double drop;
        double dup;
        double late;
        int delay;
        synchronized (random) {
            drop = random.nextDouble();
            dup = random.nextDouble();
            late = random.nextDouble();
            delay = 1 + random.nextInt(8);
        }
        if (drop < loss) {
            dropped.incrementAndGet();
            return;
        }
        int copies = dup < duplicate ? 2 : 1;
        if (copies == 2) {
            duplicated.incrementAndGet();
        }
        for (int i = 0; i < copies; i++) {
            if (late < reorder) {
                reordered.incrementAndGet();
                delayed.schedule(() -> send(out, data, to), delay, TimeUnit.MILLISECONDS);
            } else {
                send(out, data, to);
            }
        }
    }

    private void send(DatagramSocket out, byte[] data, SocketAddress to) {
        try {
            out.send(new DatagramPacket(data, data.length, to));
            forwarded.incrementAndGet();
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() {
        closed = true;
        front.close();
        upstream.values().forEach(DatagramSocket::close);
        delayed.shutdownNow();
    }

    @Override
    public String toString() {
        return "relay[forwarded=" + forwarded + " dropped=" + dropped + " duplicated=" + duplicated + " reordered=" + reordered + "]";
    }
}
