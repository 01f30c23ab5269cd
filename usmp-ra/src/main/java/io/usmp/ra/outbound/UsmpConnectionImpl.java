package io.usmp.ra.outbound;

import io.usmp.ra.api.UsmpConnection;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.IllegalStateException;
import java.util.Set;

/** The handle an application holds; the work happens in its managed connection. */
final class UsmpConnectionImpl implements UsmpConnection {
    private volatile UsmpManagedConnection mc;

    UsmpConnectionImpl(UsmpManagedConnection mc) {
        this.mc = mc;
    }

    void associate(UsmpManagedConnection newMc) {
        this.mc = newMc;
    }

    private UsmpManagedConnection live() throws IllegalStateException {
        UsmpManagedConnection m = mc;
        if (m == null) {
            throw new IllegalStateException("connection closed");
        }
        return m;
    }

    @Override
    public void send(String deviceId, byte[] message) throws ResourceException {
        live().send(deviceId, message);
    }

    @Override
    public Set<String> connectedDevices() throws ResourceException {
        return live().connectedDevices();
    }

    @Override
    public void close() {
        UsmpManagedConnection m = mc;
        mc = null;
        if (m != null) {
            m.handleClosed(this);
        }
    }
}
