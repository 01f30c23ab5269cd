package io.usmp;

import io.usmp.protocol.DeviceId;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Optional;

/**
 * A USMP gateway over TCP, UDP or both ({@link ServerConfig.Builder#transports}): accepts devices,
 * authenticates them, delivers their messages. Sessions of both transports are alike to the
 * listener and share per-device order, backpressure and statistics.
 */
public interface UsmpServer extends AutoCloseable {
    /**
     * Warms the crypto and code paths (a device gives up after 500 ms, even on the first
     * handshake), then binds and starts accepting.
     */
    static UsmpServer start(ServerConfig config, ServerListener listener) throws java.io.IOException {
        return TransportProvider.get().startServer(config, listener);
    }

    /**
     * The TCP listener's address; when the gateway serves UDP only, its UDP socket's address (the
     * same port number when both run on a fixed port; with port 0 each gets its own, see
     * {@link #udpAddress()}).
     */
    InetSocketAddress localAddress();

    /** The UDP socket's address, or empty when the gateway does not serve UDP. */
    default Optional<InetSocketAddress> udpAddress() {
        return Optional.empty();
    }

    /** The open session of a device, if it is connected. */
    Optional<UsmpSession> session(DeviceId device);

    Collection<UsmpSession> sessions();

    ServerStatistics statistics();

    /**
     * Waits until the listener has been given everything, {@code onClosed} of every session
     * included (after {@link #close(long)}, queued messages may still be on their way).
     *
     * @return true when nothing is left, false on timeout
     */
    boolean awaitListenerIdle(long timeoutMillis) throws InterruptedException;

    /**
     * Stops accepting, sends BYE to every session, waits up to {@code grace} millis for their
     * queued messages to be delivered, then closes all connections.
     */
    void close(long graceMillis);

    @Override
    default void close() {
        close(5_000);
    }
}
