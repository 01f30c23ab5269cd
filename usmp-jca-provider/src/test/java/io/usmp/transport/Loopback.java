package io.usmp.transport;

import io.usmp.ClientConfig;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.ServerConfig;
import io.usmp.ServerListener;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.opentest4j.AssertionFailedError;

/** Shared fixtures of the loopback tests: keys, device ids, configs, bounded waits, cleanup. */
final class Loopback implements AutoCloseable {
    /** Bound for anything that is expected to happen. */
    static final Duration WAIT = Duration.ofSeconds(10);
    static final byte[] PSK = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    static final byte[] WRONG_PSK = HexFormat.of().parseHex("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    /** Known devices are a1 b2 xx xx xx xx; anything else is unknown to the gateway. */
    static final PskResolver RESOLVER = d -> d.toHex().startsWith("a1b2") ? PSK.clone() : null;
    static final DeviceId DEVICE = device(1);
    static final DeviceId UNKNOWN = DeviceId.fromHex("0000deadbeef");

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    static DeviceId device(int n) {
        return DeviceId.fromHex(String.format("a1b2%08x", n));
    }

    /** Loopback, ephemeral port, lockout off (tests that fail handshakes must not lock each other out). */
    static ServerConfig.Builder config() {
        return ServerConfig.builder(RESOLVER).bind("127.0.0.1", 0).lockout(0, 60, 4096);
    }

    static ClientConfig.Builder client(UsmpServer server, DeviceId device) {
        return ClientConfig.builder("127.0.0.1", server.localAddress().getPort(), device, PSK);
    }

    <T extends AutoCloseable> T add(T resource) {
        resources.push(resource);
        return resource;
    }

    UsmpServer start(ServerConfig.Builder config, ServerListener listener) throws IOException {
        return add(UsmpServer.start(config.build(), listener));
    }

    UsmpClient connect(ClientConfig.Builder config) throws IOException {
        return add(UsmpClient.connect(config.build()));
    }

    RawDevice raw(UsmpServer server) throws IOException {
        return add(RawDevice.connect(server.localAddress()));
    }

    /** A raw device connecting from {@code source} (an address in 127.0.0.0/8). */
    RawDevice raw(UsmpServer server, String source) throws IOException {
        return add(RawDevice.connect(server.localAddress(), source));
    }

    /** Closes everything opened, newest first. */
    @Override
    public void close() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    /** Polls until {@code condition} holds, failing after {@link #WAIT}. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(what, condition, () -> "");
    }

    static void await(String what, BooleanSupplier condition, Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionFailedError("timed out waiting for " + what + " " + state.get());
            }
            Thread.sleep(5);
        }
    }

    static long count(java.util.Map<CloseReason, Long> m, CloseReason r) {
        return m.getOrDefault(r, 0L);
    }

    static long total(java.util.Map<CloseReason, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }
}
