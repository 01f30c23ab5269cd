package io.usmp.ra;

import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ManagedConnection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The pool's listeners on one managed connection, shared by the outbound and dial-out connections.
 * Public only because those live in other packages; not for applications.
 */
public final class ConnectionEvents {
    private final ManagedConnection source;
    /** Copy-on-write: events are fired without holding the connection's lock. */
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();

    public ConnectionEvents(ManagedConnection source) {
        this.source = source;
    }

    public void add(ConnectionEventListener l) {
        listeners.add(l);
    }

    public void remove(ConnectionEventListener l) {
        listeners.remove(l);
    }

    /** The application closed {@code handle}: the pool may take the connection back. */
    public void closed(Object handle) {
        ConnectionEvent event = new ConnectionEvent(source, ConnectionEvent.CONNECTION_CLOSED);
        event.setConnectionHandle(handle);
        listeners.forEach(l -> l.connectionClosed(event));
    }

    /** The connection failed: the pool destroys it. {@code handle} may be null. */
    public void errorOccurred(Object handle, Exception cause) {
        ConnectionEvent event = new ConnectionEvent(source, ConnectionEvent.CONNECTION_ERROR_OCCURRED, cause);
        if (handle != null) {
            event.setConnectionHandle(handle);
        }
        listeners.forEach(l -> l.connectionErrorOccurred(event));
    }
}
