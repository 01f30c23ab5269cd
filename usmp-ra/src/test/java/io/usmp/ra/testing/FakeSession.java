package io.usmp.ra.testing;

import io.usmp.UsmpSession;
import io.usmp.protocol.DeviceId;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** A device session without a network: records what is sent; writes complete at once unless told otherwise. */
public final class FakeSession implements UsmpSession {
    private final DeviceId device;
    private final String sessionHex;
    public final List<String> sent = new CopyOnWriteArrayList<>();
    public volatile boolean open = true;
    public volatile boolean writable = true;
    /** When true, writes never complete (the socket takes nothing). */
    public volatile boolean stuck;
    public volatile int closes;

    public FakeSession(String deviceHex, int n) {
        this.device = DeviceId.fromHex(deviceHex);
        this.sessionHex = String.format("%032x", n);
    }

    @Override
    public DeviceId deviceId() {
        return device;
    }

    @Override
    public byte[] sessionId() {
        return new byte[16];
    }

    @Override
    public String sessionIdHex() {
        return sessionHex;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 40000);
    }

    @Override
    public CompletionStage<Void> send(byte[] message) {
        if (!open) {
            return CompletableFuture.failedFuture(new IllegalStateException("closed"));
        }
        sent.add(new String(message, StandardCharsets.UTF_8));
        return stuck ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        closes++;
        open = false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isWritable() {
        return open && writable;
    }
}
