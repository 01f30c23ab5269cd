package io.usmp.ra.outbound;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PayloadException;
import io.usmp.UsmpSession;
import io.usmp.ra.api.DeviceNotConnectedException;
import io.usmp.protocol.Limits;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;

/**
 * A pooled downlink connection. Within a local transaction sends are held and go out in order on
 * commit (dropped on rollback); without one they go out at once. A send that fails on the wire
 * raises {@code CONNECTION_ERROR_OCCURRED} so the pool discards this connection.
 */
final class UsmpManagedConnection implements ManagedConnection {
    private record Held(UsmpSession session, byte[] message) {
    }

    private final UsmpManagedConnectionFactory mcf;
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<UsmpConnectionImpl> handles = new LinkedHashSet<>();
    private final List<Held> held = new ArrayList<>();
    private boolean inTransaction;
    private boolean destroyed;
    private PrintWriter logWriter;

    UsmpManagedConnection(UsmpManagedConnectionFactory mcf) {
        this.mcf = mcf;
    }

    UsmpManagedConnectionFactory factory() {
        return mcf;
    }

    synchronized boolean isUsable() {
        return !destroyed;
    }

    synchronized void send(String deviceHex, byte[] message) throws ResourceException {
        if (destroyed) {
            throw new jakarta.resource.spi.IllegalStateException("connection destroyed");
        }
        DeviceId device;
        try {
            device = DeviceId.fromHex(deviceHex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device id must be 12 hex digits: " + deviceHex, e);
        }
        try {
            Limits.checkMessageSize(message);
        } catch (PayloadException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Optional<UsmpSession> session = mcf.adapter().findSession(device);
        if (session.isEmpty() || !session.get().isOpen()) {
            throw new DeviceNotConnectedException(device.toHex());
        }
        Held h = new Held(session.get(), message.clone());
        if (inTransaction) {
            held.add(h);
        } else {
            write(h);
        }
    }

    private void write(Held h) throws ResourceException {
        try {
            h.session().send(h.message()).toCompletableFuture().get(mcf.getSendTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (PayloadException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (!h.session().isOpen()) {
                throw new DeviceNotConnectedException(h.session().deviceId().toHex());
            }
            ResourceException re = new ResourceException("send to device " + h.session().deviceId() + " failed: " + cause, cause);
            fire(ConnectionEvent.CONNECTION_ERROR_OCCURRED, null, re);
            throw re;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResourceException("interrupted while sending", e);
        }
    }

    synchronized Set<String> connectedDevices() {
        Set<String> ids = new LinkedHashSet<>();
        mcf.adapter().connectedDevices().forEach(d -> ids.add(d.toHex()));
        return ids;
    }

    @Override
    public synchronized Object getConnection(Subject subject, ConnectionRequestInfo info) {
        UsmpConnectionImpl handle = new UsmpConnectionImpl(this);
        handles.add(handle);
        return handle;
    }

    void handleClosed(UsmpConnectionImpl handle) {
        synchronized (this) {
            handles.remove(handle);
        }
        fire(ConnectionEvent.CONNECTION_CLOSED, handle, null);
    }

    @Override
    public synchronized void associateConnection(Object connection) throws ResourceException {
        if (!(connection instanceof UsmpConnectionImpl handle)) {
            throw new ResourceException("not a USMP connection: " + connection);
        }
        handle.associate(this);
        handles.add(handle);
    }

    @Override
    public synchronized void cleanup() {
        handles.forEach(h -> h.associate(null));
        handles.clear();
        held.clear();
        inTransaction = false;
    }

    @Override
    public synchronized void destroy() {
        cleanup();
        destroyed = true;
    }

    @Override
    public void addConnectionEventListener(ConnectionEventListener l) {
        listeners.add(l);
    }

    @Override
    public void removeConnectionEventListener(ConnectionEventListener l) {
        listeners.remove(l);
    }

    private void fire(int type, Object handle, Exception e) {
        ConnectionEvent event = e == null ? new ConnectionEvent(this, type) : new ConnectionEvent(this, type, e);
        if (handle != null) {
            event.setConnectionHandle(handle);
        }
        for (ConnectionEventListener l : listeners) {
            switch (type) {
                case ConnectionEvent.CONNECTION_CLOSED -> l.connectionClosed(event);
                case ConnectionEvent.LOCAL_TRANSACTION_STARTED -> l.localTransactionStarted(event);
                case ConnectionEvent.LOCAL_TRANSACTION_COMMITTED -> l.localTransactionCommitted(event);
                case ConnectionEvent.LOCAL_TRANSACTION_ROLLEDBACK -> l.localTransactionRolledback(event);
                default -> l.connectionErrorOccurred(event);
            }
        }
    }

    @Override
    public XAResource getXAResource() throws ResourceException {
        throw new NotSupportedException("the USMP adapter supports local transactions, not XA");
    }

    @Override
    public LocalTransaction getLocalTransaction() {
        return new LocalTransaction() {
            @Override
            public void begin() throws ResourceException {
                synchronized (UsmpManagedConnection.this) {
                    if (inTransaction) {
                        throw new jakarta.resource.spi.IllegalStateException("local transaction already active");
                    }
                    inTransaction = true;
                    held.clear();
                }
            }

            @Override
            public void commit() throws ResourceException {
                List<Held> toSend;
                synchronized (UsmpManagedConnection.this) {
                    toSend = List.copyOf(held);
                    held.clear();
                    inTransaction = false;
                }
                for (Held h : toSend) {
                    write(h);
                }
            }

            @Override
            public void rollback() {
                synchronized (UsmpManagedConnection.this) {
                    held.clear();
                    inTransaction = false;
                }
            }
        };
    }

    @Override
    public ManagedConnectionMetaData getMetaData() {
        return new ManagedConnectionMetaData() {
            @Override
            public String getEISProductName() {
                return "USMP devices";
            }

            @Override
            public String getEISProductVersion() {
                return "2";
            }

            @Override
            public int getMaxConnections() {
                return 0;
            }

            @Override
            public String getUserName() {
                return null;
            }
        };
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
