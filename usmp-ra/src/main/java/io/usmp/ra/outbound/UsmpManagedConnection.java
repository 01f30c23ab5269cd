package io.usmp.ra.outbound;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PayloadException;
import io.usmp.UsmpSession;
import io.usmp.ra.api.DeviceNotConnectedException;
import io.usmp.protocol.Limits;
import io.usmp.ra.PooledManagedConnection;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;

/**
 * A pooled downlink connection. Within a local transaction sends are held and go out in order on
 * commit (dropped on rollback); without one they go out at once. Messages go by device id to the
 * device's session current when they are written.
 *
 * <p>Commit first checks every target (connected and writable); if any fails, nothing is written
 * and commit throws. Then each message is handed to its device's session in order, each write
 * awaited up to {@code sendTimeoutMillis}. A write that fails or times out ends that device's
 * part of the flush: the rest for it is not sent (counted and logged by the adapter), the other
 * devices' messages still go, and commit returns normally, since what has left cannot be recalled.
 * A timed-out write closes its session (so its queued bytes are discarded with it rather than
 * leaving late) and raises {@code CONNECTION_ERROR_OCCURRED} so the pool discards this connection.
 */
final class UsmpManagedConnection extends PooledManagedConnection {
    private static final System.Logger LOG = System.getLogger(UsmpManagedConnection.class.getName());

    private record Held(DeviceId device, byte[] message) {
    }

    private final UsmpManagedConnectionFactory mcf;
    private final Set<UsmpConnectionImpl> handles = new LinkedHashSet<>();
    private final List<Held> held = new ArrayList<>();
    private boolean inTransaction;
    private boolean destroyed;

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
        if (inTransaction) {
            held.add(new Held(device, message.clone()));
        } else {
            write(session.get(), message.clone());
        }
    }

    /**
     * Writes one message and waits until the socket took it. On a timeout the session is closed,
     * so the message still queued for it is discarded with it instead of leaving later.
     */
    private void write(UsmpSession session, byte[] message) throws ResourceException {
        CompletionStage<Void> written;
        try {
            written = session.send(message);
        } catch (PayloadException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new DeviceNotConnectedException(session.deviceId().toHex());
        }
        try {
            written.toCompletableFuture().get(mcf.getSendTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            session.abort();
            ResourceException re = new ResourceException("send to device " + session.deviceId() + " timed out after "
                    + mcf.getSendTimeoutMillis() + " ms; its session was closed so the message does not leave late", e);
            fireErrorOccurred(null, re);
            throw re;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (!session.isOpen()) {
                throw new DeviceNotConnectedException(session.deviceId().toHex());
            }
            ResourceException re = new ResourceException("send to device " + session.deviceId() + " failed: " + cause, cause);
            fireErrorOccurred(null, re);
            throw re;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResourceException("interrupted while sending", e);
        }
    }

    /** Checks every target, then writes the held messages in order (see the class comment). */
    private static final String NOT_CONNECTED = "not connected";

    private void flush(List<Held> toSend) throws ResourceException {
        if (toSend.isEmpty()) {
            return;
        }
        Map<DeviceId, UsmpSession> targets = new LinkedHashMap<>();
        Map<DeviceId, String> refused = new LinkedHashMap<>();
        Map<DeviceId, Integer> perDevice = new LinkedHashMap<>();
        for (Held h : toSend) {
            perDevice.merge(h.device(), 1, Integer::sum);
            if (targets.containsKey(h.device()) || refused.containsKey(h.device())) {
                continue;
            }
            Optional<UsmpSession> s = mcf.adapter().findSession(h.device());
            if (s.isEmpty() || !s.get().isOpen()) {
                refused.put(h.device(), NOT_CONNECTED);
            } else if (!s.get().isWritable()) {
                refused.put(h.device(), "not writable (its socket takes no more data)");
            } else {
                targets.put(h.device(), s.get());
            }
        }
        if (!refused.isEmpty()) {
            StringBuilder why = new StringBuilder();
            refused.forEach((d, reason) -> why.append(why.length() == 0 ? "" : ", ").append("device ").append(d).append(' ')
                    .append(reason));
            String message = "commit refused, no message was sent: " + why;
            perDevice.forEach((d, n) -> mcf.adapter().downlinksUndeliverable(d, n, message));
            if (refused.values().stream().allMatch(NOT_CONNECTED::equals)) {
                // The caller can tell a departed device from a broken link by type.
                throw new DeviceNotConnectedException(String.join(", ", refused.keySet().stream().map(DeviceId::toHex).toList()));
            }
            throw new ResourceException(message);
        }
        Map<DeviceId, String> failed = new HashMap<>();
        Map<DeviceId, Integer> lost = new LinkedHashMap<>();
        for (Held h : toSend) {
            DeviceId d = h.device();
            if (!failed.containsKey(d)) {
                try {
                    UsmpSession s = targets.get(d);
                    if (!s.isOpen()) {
                        throw new DeviceNotConnectedException(d.toHex());
                    }
                    write(s, h.message());
                    continue;
                } catch (ResourceException e) {
                    failed.put(d, e.getMessage());
                }
            }
            lost.merge(d, 1, Integer::sum);
        }
        lost.forEach((d, n) -> mcf.adapter().downlinksUndeliverable(d, n,
                "its link failed during the commit's flush: " + failed.get(d)));
        if (!lost.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "downlink commit partly applied: {0} of {1} messages not sent",
                    lost.values().stream().mapToInt(Integer::intValue).sum(), toSend.size());
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
        fireClosed(handle);
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
                flush(toSend);
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
}
