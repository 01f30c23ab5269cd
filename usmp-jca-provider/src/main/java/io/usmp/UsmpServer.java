package io.usmp;

import io.usmp.protocol.DeviceId;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Optional;

/** A USMP gateway over TCP: accepts devices, authenticates them, delivers their messages. */
public interface UsmpServer extends AutoCloseable {
    /**
     * Warms the crypto and code paths (a device gives up after 500 ms, even on the first
     * handshake), then binds and starts accepting.
     */
    static UsmpServer start(ServerConfig config, ServerListener listener) throws java.io.IOException {
        return TransportProvider.get().startServer(config, listener);
    }

    InetSocketAddress localAddress();

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
