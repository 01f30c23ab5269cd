package io.usmp.ra.dial;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** What an application server's pool does with a managed connection, reduced to the essentials (no transactions). */
final class MiniPool implements ConnectionManager, ConnectionEventListener {
    private static final long serialVersionUID = 1L;

    private final Deque<ManagedConnection> idle = new ArrayDeque<>();
    final List<ConnectionEvent> errors = new CopyOnWriteArrayList<>();

    @Override
    public synchronized Object allocateConnection(ManagedConnectionFactory mcf, ConnectionRequestInfo info) throws ResourceException {
        while (!idle.isEmpty()) {
            ManagedConnection candidate = idle.poll();
            ManagedConnection mc = mcf.matchManagedConnections(Set.of(candidate), null, info);
            if (mc != null) {
                return mc.getConnection(null, info);
            }
            candidate.destroy();
        }
        ManagedConnection mc = mcf.createManagedConnection(null, info);
        mc.addConnectionEventListener(this);
        return mc.getConnection(null, info);
    }

    @Override
    public synchronized void connectionClosed(ConnectionEvent event) {
        ManagedConnection mc = (ManagedConnection) event.getSource();
        try {
            mc.cleanup();
            idle.push(mc);
        } catch (ResourceException e) {
            errors.add(event);
        }
    }

    @Override
    public synchronized void connectionErrorOccurred(ConnectionEvent event) {
        errors.add(event);
        ManagedConnection mc = (ManagedConnection) event.getSource();
        idle.remove(mc);
        try {
            mc.destroy();
        } catch (ResourceException e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized void validate(UsmpDialManagedConnectionFactory mcf) throws ResourceException {
        for (Object dead : mcf.getInvalidConnections(Set.copyOf(idle))) {
            idle.remove(dead);
            ((ManagedConnection) dead).destroy();
        }
    }

    synchronized int idle() {
        return idle.size();
    }

    synchronized void shutdown() throws ResourceException {
        for (ManagedConnection mc : idle) {
            mc.destroy();
        }
        idle.clear();
    }

    @Override
    public void localTransactionStarted(ConnectionEvent event) {
    }

    @Override
    public void localTransactionCommitted(ConnectionEvent event) {
    }

    @Override
    public void localTransactionRolledback(ConnectionEvent event) {
    }
}
