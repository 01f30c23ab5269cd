package io.usmp.ra;

import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ManagedConnection;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the adapter's managed connections share: the pool's event listeners and the container's log
 * writer. Public only because the connections live in other packages.
 */
public abstract class PooledManagedConnection implements ManagedConnection {
    /** Copy-on-write: events are fired without holding the connection's lock. */
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private PrintWriter logWriter;

    @Override
    public void addConnectionEventListener(ConnectionEventListener l) {
        listeners.add(l);
    }

    @Override
    public void removeConnectionEventListener(ConnectionEventListener l) {
        listeners.remove(l);
    }

    /** The application closed {@code handle}: the pool may take this connection back. */
    protected final void fireClosed(Object handle) {
        ConnectionEvent event = new ConnectionEvent(this, ConnectionEvent.CONNECTION_CLOSED);
        event.setConnectionHandle(handle);
        listeners.forEach(l -> l.connectionClosed(event));
    }

    /** This connection failed: the pool destroys it. {@code handle} may be null. */
    protected final void fireErrorOccurred(Object handle, Exception cause) {
        ConnectionEvent event = new ConnectionEvent(this, ConnectionEvent.CONNECTION_ERROR_OCCURRED, cause);
        if (handle != null) {
            event.setConnectionHandle(handle);
        }
        listeners.forEach(l -> l.connectionErrorOccurred(event));
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }
}
