package io.usmp.ra.dial;

import io.usmp.ra.api.UsmpDialConnection;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.IllegalStateException;
import java.time.Duration;
import java.util.Objects;

/** The handle an application holds; the work happens in its managed connection. */
final class UsmpDialConnectionImpl implements UsmpDialConnection {
    private volatile UsmpDialManagedConnection mc;

    UsmpDialConnectionImpl(UsmpDialManagedConnection mc) {
        this.mc = mc;
    }

    void associate(UsmpDialManagedConnection newMc) {
        this.mc = newMc;
    }

    UsmpDialManagedConnection managed() {
        return mc;
    }

    private UsmpDialManagedConnection live() throws IllegalStateException {
        UsmpDialManagedConnection m = mc;
        if (m == null) {
            throw new IllegalStateException("connection closed");
        }
        return m;
    }

    @Override
    public void send(byte[] message) throws ResourceException {
        live().send(this, Objects.requireNonNull(message, "message"));
    }

    @Override
    public byte[] receive(Duration timeout) throws ResourceException {
        return live().receive(this, Objects.requireNonNull(timeout, "timeout"));
    }

    @Override
    public byte[] request(byte[] message, Duration timeout) throws ResourceException {
        return live().request(this, Objects.requireNonNull(message, "message"), Objects.requireNonNull(timeout, "timeout"));
    }

    @Override
    public void close() {
        UsmpDialManagedConnection m = mc;
        mc = null;
        if (m != null) {
            m.handleClosed(this);
        }
    }
}
