package io.usmp.ra.dial;

import io.usmp.UsmpClient;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.Limits;
import io.usmp.protocol.PayloadException;
import io.usmp.protocol.UsmpException;
import io.usmp.protocol.UsmpTimeoutException;
import io.usmp.ra.PooledManagedConnection;
import io.usmp.ra.api.UsmpDialException;
import io.usmp.ra.api.UsmpDialTimeoutException;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;

/**
 * One authenticated USMP client session, pooled by the container, as one identity leased from its
 * factory until {@link #destroy()}. At most one handle at a time: a new handle (connection sharing)
 * supersedes the previous one. Calls are serialized by one lock.
 *
 * <p>Any failure of the session raises {@link UsmpDialException} to the caller and
 * {@code CONNECTION_ERROR_OCCURRED} to the pool, which destroys the session; there is no repair
 * in place. {@link #cleanup()} drops unread messages and held sends but keeps the session;
 * {@link #destroy()} sends BYE and closes.
 *
 * <p>Transactions: sends are held and written in order on commit. If the session fails during the
 * flush, the messages written before the failure have left (they cannot be recalled), the rest
 * are not sent, and commit throws {@link UsmpDialException} saying how many were written.
 */
final class UsmpDialManagedConnection extends PooledManagedConnection {
    private static final System.Logger LOG = System.getLogger(UsmpDialManagedConnection.class.getName());
    /** Upper bound of messages dropped by one cleanup (the client holds at most its queue capacity plus what one read completes). */
    private static final int MAX_DRAIN = 1_000_000;
    /**
     * A PONG this recent stands for one: the peer counts PINGs towards its flood limit (more than 8
     * PING/PONG frames within 1 s ends the session, SPEC §4), and a pool may validate on every match.
     */
    private static final long PONG_FRESH_NANOS = 1_000_000_000L;

    private final UsmpDialManagedConnectionFactory mcf;
    private final DeviceId identity;
    private final UsmpClient client;
    private final DialStats stats;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<byte[]> held = new ArrayList<>();
    private UsmpDialConnectionImpl handle;
    private boolean inTransaction;
    /** Why this session failed (error kind), or null while it is healthy. */
    private volatile String failure;
    private volatile String evictionReason;
    private volatile boolean destroyed;
    /** When a validation PING was last answered (System.nanoTime), or 0 when never. */
    private long lastPong;

    UsmpDialManagedConnection(UsmpDialManagedConnectionFactory mcf, DeviceId identity, UsmpClient client, DialStats stats) {
        this.mcf = mcf;
        this.identity = identity;
        this.client = client;
        this.stats = stats;
    }

    UsmpDialManagedConnectionFactory factory() {
        return mcf;
    }

    /** The device id this session authenticated as. */
    DeviceId identity() {
        return identity;
    }

    boolean isDestroyed() {
        return destroyed;
    }

    /**
     * For pool validation: open, not failed, and, while idle in the pool, answering a PING within
     * {@code timeout} (a session in use fails fast by itself). Records the reason for the eviction
     * that follows.
     */
    boolean isValid(Duration timeout) {
        if (!isAlive()) {
            return false;
        }
        lock.lock();
        try {
            if (handle != null || destroyed) {
                return !destroyed;
            }
            if (lastPong != 0 && System.nanoTime() - lastPong < PONG_FRESH_NANOS) {
                return true;
            }
            client.ping(timeout); // under the lock: the pool cannot hand the session out mid-check
            lastPong = System.nanoTime();
            return true;
        } catch (UsmpTimeoutException e) {
            evictionReason = "invalid:ping_timeout";
            return false;
        } catch (UsmpException e) {
            evictionReason = "invalid:" + kindOf(client.closeReason());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true; // not checked: the next validation does
        } finally {
            lock.unlock();
        }
    }

    /** Open and not failed, by state alone. */
    private boolean isAlive() {
        if (destroyed) {
            return false;
        }
        if (failure != null) {
            evictionReason = "error:" + failure;
            return false;
        }
        if (!client.isOpen()) {
            CloseReason r = client.closeReason();
            evictionReason = "invalid:" + (r == null ? "closed" : r.kind());
            return false;
        }
        return true;
    }

    // ---- handle operations ----

    void send(UsmpDialConnectionImpl h, byte[] message) throws ResourceException {
        checkSize(message);
        lock.lock();
        try {
            checkHandle(h);
            if (inTransaction) {
                held.add(message.clone());
            } else {
                write(message.clone());
            }
        } finally {
            lock.unlock();
        }
    }

    byte[] receive(UsmpDialConnectionImpl h, Duration timeout) throws ResourceException {
        lock.lock();
        try {
            checkHandle(h);
            return read(timeout);
        } finally {
            lock.unlock();
        }
    }

    byte[] request(UsmpDialConnectionImpl h, byte[] message, Duration timeout) throws ResourceException {
        checkSize(message);
        lock.lock();
        try {
            checkHandle(h);
            if (inTransaction && !held.isEmpty()) {
                throw new jakarta.resource.spi.IllegalStateException("request() would overtake the " + held.size()
                        + " send(s) held in this transaction until commit");
            }
            write(message.clone());
            byte[] reply = read(timeout);
            if (reply == null) {
                throw fail(new UsmpDialTimeoutException("no reply from " + mcf.target() + " within " + timeout.toMillis()
                        + " ms; the session is discarded so a late reply cannot answer a later request"), "timeout");
            }
            return reply;
        } finally {
            lock.unlock();
        }
    }

    private static void checkSize(byte[] message) {
        try {
            Limits.checkMessageSize(message);
        } catch (PayloadException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private void checkHandle(UsmpDialConnectionImpl h) throws ResourceException {
        if (destroyed) {
            throw new jakarta.resource.spi.IllegalStateException("the session was destroyed");
        }
        if (handle != h) {
            throw new jakarta.resource.spi.IllegalStateException("this connection handle was closed or superseded");
        }
        String f = failure;
        if (f != null) {
            throw new UsmpDialException("the session to " + mcf.target() + " failed (" + f + "); get a new connection", f, null);
        }
    }

    private void write(byte[] message) throws ResourceException {
        try {
            client.send(message);
        } catch (UsmpException e) {
            throw fail(e, "send");
        }
    }

    private byte[] read(Duration timeout) throws ResourceException {
        try {
            return client.receive(timeout);
        } catch (UsmpException e) {
            throw fail(e, "receive");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResourceException("interrupted while receiving", e);
        }
    }

    private UsmpDialException fail(UsmpException e, String op) {
        CloseReason r = client.closeReason();
        String kind = r != null ? r.kind() : e instanceof io.usmp.protocol.UsmpTimeoutException ? "timeout" : "io";
        return fail(new UsmpDialException(op + " on the session to " + mcf.target() + " failed (" + kind + "): "
                + e.getMessage(), kind, e), kind);
    }

    /** Marks the session failed, tells the pool (it destroys the session) and returns the exception to throw. */
    private UsmpDialException fail(UsmpDialException e, String kind) {
        if (failure == null) {
            failure = kind;
            evictionReason = "error:" + kind;
            LOG.log(System.Logger.Level.DEBUG, "dial-out session to {0} failed: {1}", mcf.target(), kind);
            fireErrorOccurred(handle, e);
        }
        return e;
    }

    // ---- pool life cycle ----

    @Override
    public Object getConnection(Subject subject, ConnectionRequestInfo info) throws ResourceException {
        lock.lock();
        try {
            if (destroyed) {
                throw new jakarta.resource.spi.IllegalStateException("the session was destroyed");
            }
            UsmpDialConnectionImpl h = new UsmpDialConnectionImpl(this);
            setHandle(h);
            stats.handles.increment();
            return h;
        } finally {
            lock.unlock();
        }
    }

    /** Makes {@code h} the one handle; a previous handle is dissociated (calls through it fail). */
    private void setHandle(UsmpDialConnectionImpl h) {
        if (handle != null && handle != h) {
            handle.associate(null);
        } else if (handle == null && h != null) {
            stats.handleTaken();
        }
        if (handle != null && h == null) {
            stats.inUse.decrementAndGet();
        }
        handle = h;
    }

    @Override
    public void associateConnection(Object connection) throws ResourceException {
        if (!(connection instanceof UsmpDialConnectionImpl h)) {
            throw new ResourceException("not a USMP dial connection: " + connection);
        }
        lock.lock();
        try {
            UsmpDialManagedConnection previous = h.managed();
            if (previous != null && previous != this) {
                previous.handleGone(h);
            }
            h.associate(this);
            setHandle(h);
        } finally {
            lock.unlock();
        }
    }

    private void handleGone(UsmpDialConnectionImpl h) {
        lock.lock();
        try {
            if (handle == h) {
                setHandle(null);
            }
        } finally {
            lock.unlock();
        }
    }

    void handleClosed(UsmpDialConnectionImpl h) {
        lock.lock();
        try {
            if (handle != h) {
                return;
            }
            setHandle(null);
        } finally {
            lock.unlock();
        }
        fireClosed(h);
    }

    /** Drops the handle, held sends and unread messages; the session stays open. */
    @Override
    public void cleanup() throws ResourceException {
        lock.lock();
        try {
            if (handle != null) {
                handle.associate(null);
                setHandle(null);
            }
            if (inTransaction && !held.isEmpty()) {
                stats.rolledBack.add(held.size());
            }
            held.clear();
            inTransaction = false;
            if (failure == null && client.isOpen()) {
                try {
                    for (int i = 0; i < MAX_DRAIN && client.receive(Duration.ZERO) != null; i++) {
                        // unread message of the previous user: dropped
                    }
                } catch (UsmpException e) {
                    // The session ended while idle: pool validation (or the next use) finds it.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sends BYE and closes the session. */
    @Override
    public void destroy() {
        lock.lock();
        try {
            if (destroyed) {
                return;
            }
            destroyed = true;
            if (handle != null) {
                handle.associate(null);
                setHandle(null);
            }
            held.clear();
            inTransaction = false;
        } finally {
            lock.unlock();
        }
        String reason = evictionReason;
        if (reason == null) {
            CloseReason r = client.isOpen() ? null : client.closeReason();
            reason = r == null ? "pool" : "invalid:" + r.kind();
        }
        stats.evicted(reason);
        stats.open.decrementAndGet();
        client.close();
        mcf.release(identity); // after the close: the peer never sees two sessions of one id from us at once
    }

    // ---- transactions ----

    @Override
    public XAResource getXAResource() throws ResourceException {
        throw new NotSupportedException("USMP dial-out supports local transactions, not XA");
    }

    @Override
    public LocalTransaction getLocalTransaction() {
        return new LocalTransaction() {
            @Override
            public void begin() throws ResourceException {
                lock.lock();
                try {
                    if (inTransaction) {
                        throw new jakarta.resource.spi.IllegalStateException("local transaction already active");
                    }
                    inTransaction = true;
                    held.clear();
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void commit() throws ResourceException {
                lock.lock();
                try {
                    List<byte[]> toSend = List.copyOf(held);
                    held.clear();
                    inTransaction = false;
                    if (toSend.isEmpty()) {
                        return;
                    }
                    if (failure != null || !client.isOpen()) {
                        String kind = failure != null ? failure : kindOf(client.closeReason());
                        stats.rolledBack.add(toSend.size());
                        throw fail(new UsmpDialException("commit refused, none of " + toSend.size()
                                + " message(s) was sent: the session to " + mcf.target() + " has ended (" + kind + ")", kind, null), kind);
                    }
                    int written = 0;
                    try {
                        for (byte[] m : toSend) {
                            client.send(m);
                            written++;
                            stats.committed.increment();
                        }
                    } catch (UsmpException e) {
                        String kind = kindOf(client.closeReason());
                        stats.rolledBack.add(toSend.size() - written);
                        throw fail(new UsmpDialException("commit partly applied: " + written + " of " + toSend.size()
                                + " message(s) were written to " + mcf.target() + " before the session failed (" + kind
                                + "); the rest was not sent", kind, e), kind);
                    }
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void rollback() {
                lock.lock();
                try {
                    stats.rolledBack.add(held.size());
                    held.clear();
                    inTransaction = false;
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    private static String kindOf(CloseReason r) {
        return r == null ? "io" : r.kind();
    }

    @Override
    public ManagedConnectionMetaData getMetaData() {
        return new ManagedConnectionMetaData() {
            @Override
            public String getEISProductName() {
                return "USMP server";
            }

            @Override
            public String getEISProductVersion() {
                return "2";
            }

            @Override
            public int getMaxConnections() {
                return mcf.identities().size(); // one session per identity
            }

            @Override
            public String getUserName() {
                return identity.toHex();
            }
        };
    }

    @Override
    public String toString() {
        return "UsmpDialManagedConnection[" + mcf.target() + " as " + identity.toHex() + " open=" + client.isOpen() + "]";
    }
}
