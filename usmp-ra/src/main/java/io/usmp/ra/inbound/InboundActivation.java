package io.usmp.ra.inbound;

import io.usmp.CloseReason;
import io.usmp.DeviceId;
import io.usmp.PskResolver;
import io.usmp.ServerConfig;
import io.usmp.ServerListener;
import io.usmp.ServerStatistics;
import io.usmp.UsmpException;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.UsmpTransport;
import io.usmp.ra.WorkExecutors;
import io.usmp.ra.api.DeviceMessage;
import io.usmp.ra.api.DeviceMessageListener;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.WorkManager;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * One MDB activation: a USMP gateway whose messages go to the MDB's endpoints. Each device's
 * messages are delivered one at a time, in order, on WorkManager threads (at most
 * {@code maxConcurrentDeliveries} at once); a failed delivery is retried after the backoff, up to
 * {@code maxDeliveryAttempts}, then written to the dead-letter location.
 */
public final class InboundActivation implements ServerListener, ActivationStatsMXBean {
    private static final System.Logger LOG = System.getLogger(InboundActivation.class.getName());
    private static final Method ON_MESSAGE;
    /** Bound on handing back (dead-lettering) what is left once the grace is over. */
    private static final long HAND_BACK_TIMEOUT_MILLIS = 30_000;

    static {
        try {
            ON_MESSAGE = DeviceMessageListener.class.getMethod("onMessage", DeviceMessage.class);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MessageEndpointFactory factory;
    private final UsmpActivationSpec spec;
    private final UsmpTransport transport;
    private final WorkManager workManager;
    private final DeadLetters deadLetters;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder redelivered = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder messagesFinished = new LongAdder();
    private UsmpServer server;
    private ObjectName mbeanName;
    private volatile boolean stopping;
    /** Wakes deliveries waiting out a redelivery backoff when the activation stops. */
    private final Object wakeUp = new Object();

    public InboundActivation(MessageEndpointFactory factory, UsmpActivationSpec spec, UsmpTransport transport,
                             WorkManager workManager) {
        this.factory = factory;
        this.spec = spec;
        this.transport = transport;
        this.workManager = workManager;
        this.deadLetters = new DeadLetters(spec.deadLetterPath());
    }

    public String name() {
        return factory.getActivationName() != null ? factory.getActivationName() : String.valueOf(factory);
    }

    public boolean listensOn(String host, int port) {
        if (port == 0 || port != spec.getPort()) {
            return false;
        }
        try {
            InetAddress a = InetAddress.getByName(host);
            InetAddress b = InetAddress.getByName(spec.getBindAddress());
            return a.equals(b) || a.isAnyLocalAddress() || b.isAnyLocalAddress();
        } catch (IOException e) {
            return host.equals(spec.getBindAddress());
        }
    }

    /** Loads the PSKs, binds the gateway and registers the MBean. */
    public void start() throws ResourceException {
        PskResolver psks = loadPsks();
        ServerConfig config = ServerConfig.builder(psks)
                .bind(spec.getBindAddress(), spec.getPort())
                .maxConnections(spec.getMaxConnections(), spec.getMaxConnectionsPerIp())
                .maxConcurrentHandshakes(spec.getMaxConcurrentHandshakes())
                .handshakeTimeout(Duration.ofMillis(spec.getHandshakeTimeoutMillis()))
                .sessionTimeout(Duration.ofMillis(spec.getSessionTimeoutMillis()))
                .lockout(spec.getLockoutThreshold(), 60, 4096)
                .inboundQueueCapacity(spec.getPerDeviceQueueBound())
                .transport(transport)
                .deliveryExecutor(WorkExecutors.bounded(workManager, spec.getMaxConcurrentDeliveries(), "usmp-delivery"))
                .build();
        try {
            server = UsmpServer.start(config, this);
        } catch (IOException e) {
            throw new ResourceException("USMP activation " + name() + " cannot listen on " + spec.getBindAddress() + ":"
                    + spec.getPort() + ": " + e.getMessage(), e);
        }
        registerMBean();
        LOG.log(Level.INFO, "USMP activation {0} listening on {1}; dead letters go to {2}", name(), getAddress(),
                deadLetters.directory());
    }

    private PskResolver loadPsks() throws ResourceException {
        char[] password = spec.keyStorePasswordChars();
        try (InputStream in = Files.newInputStream(Path.of(spec.getKeyStorePath()))) {
            KeyStore ks = KeyStore.getInstance(spec.getKeyStoreType());
            ks.load(in, password);
            return PskResolver.fromKeyStore(ks, password);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            // The message names the file, never the password.
            throw new ResourceException("cannot load the USMP PSK keystore " + spec.getKeyStorePath() + ": "
                    + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private void registerMBean() {
        try {
            MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
            mbeanName = new ObjectName("io.usmp", new java.util.Hashtable<>(Map.of("type", "Activation",
                    "address", ObjectName.quote(getAddress()))));
            if (mbs.isRegistered(mbeanName)) {
                mbs.unregisterMBean(mbeanName);
            }
            mbs.registerMBean(this, mbeanName);
        } catch (JMException e) {
            LOG.log(Level.WARNING, "cannot register the USMP statistics MBean: " + e.getMessage());
            mbeanName = null;
        }
    }

    /**
     * Stops accepting, sends BYE to every device and lets queued deliveries run for the grace
     * period; what is still queued or waiting for a redelivery then goes to the dead-letter
     * location. Returns only when every message has been delivered or written there.
     */
    public void stop() {
        if (server != null) {
            server.close(spec.getShutdownGraceMillis());
            synchronized (wakeUp) {
                stopping = true;
                wakeUp.notifyAll();
            }
            try {
                if (!server.awaitListenerIdle(HAND_BACK_TIMEOUT_MILLIS)) {
                    LOG.log(Level.ERROR, "USMP activation {0}: deliveries still running {1} ms after stop", name(),
                            HAND_BACK_TIMEOUT_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopping = true;
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (JMException e) {
                LOG.log(Level.DEBUG, "MBean already gone: " + e.getMessage());
            }
        }
        LOG.log(Level.INFO, "USMP activation {0} stopped", name());
    }

    public Optional<UsmpSession> session(DeviceId device) {
        return server == null ? Optional.empty() : server.session(device);
    }

    public Collection<UsmpSession> sessions() {
        return server == null ? java.util.List.of() : server.sessions();
    }

    @Override
    public void onSession(UsmpSession session) {
        if (spec.getDeliverSessionEvents()) {
            deliver(DeviceMessage.Kind.SESSION_OPENED, session, new byte[0], null);
        }
    }

    @Override
    public void onMessage(UsmpSession session, byte[] payload) {
        deliver(DeviceMessage.Kind.MESSAGE, session, payload, null);
    }

    @Override
    public void onClosed(UsmpSession session, CloseReason reason, UsmpException cause) {
        if (spec.getDeliverSessionEvents()) {
            deliver(DeviceMessage.Kind.SESSION_CLOSED, session, new byte[0], reason.kind());
        }
    }

    /** Runs on a delivery Work, serially per device: returns only when committed or dead-lettered. */
    private void deliver(DeviceMessage.Kind kind, UsmpSession session, byte[] payload, String closeReason) {
        Instant receivedAt = Instant.now();
        try {
            String lastFailure = "not attempted: activation stopping";
            int attempts = 0;
            boolean transacted = transacted();
            while (attempts < spec.getMaxDeliveryAttempts() && !stopping) {
                attempts++;
                Delivery d = new Delivery(kind, session, payload, receivedAt, closeReason, attempts);
                String failure = attempt(d, transacted);
                if (failure == null) {
                    delivered.increment();
                    return;
                }
                lastFailure = failure;
                LOG.log(Level.WARNING, "delivery to MDB failed device={0} attempt={1}/{2}: {3}", session.deviceId(), attempts,
                        spec.getMaxDeliveryAttempts(), failure);
                if (attempts < spec.getMaxDeliveryAttempts()) {
                    redelivered.increment();
                    backoff(spec.getRedeliveryBackoffMillis());
                }
            }
            if (kind == DeviceMessage.Kind.MESSAGE) {
                deadLetter(session, receivedAt, attempts, lastFailure, payload);
            } else {
                // A session event is a notification, not device data: nothing to keep.
                LOG.log(Level.INFO, "{0} of device {1} not delivered: {2}", kind, session.deviceId(), lastFailure);
            }
        } finally {
            if (kind == DeviceMessage.Kind.MESSAGE) {
                messagesFinished.increment();
            }
        }
    }

    private boolean transacted() {
        try {
            return factory.isDeliveryTransacted(ON_MESSAGE);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("the MDB does not implement DeviceMessageListener", e);
        }
    }

    /** One delivery attempt; null on success, else what went wrong. */
    private String attempt(Delivery d, boolean transacted) {
        DeliveryOutcome outcome = new DeliveryOutcome();
        if (transacted) {
            outcome.onCommit(d::sendReplies);
        }
        MessageEndpoint endpoint;
        try {
            endpoint = createEndpoint(transacted ? outcome : null);
        } catch (ResourceException e) {
            return "no endpoint: " + e.getMessage();
        }
        Throwable failure = null;
        try {
            endpoint.beforeDelivery(ON_MESSAGE);
            try {
                ((DeviceMessageListener) endpoint).onMessage(d);
            } catch (Throwable t) {
                failure = t;
            } finally {
                endpoint.afterDelivery();
            }
        } catch (ResourceException | NoSuchMethodException | RuntimeException e) {
            failure = failure == null ? e : failure;
        } finally {
            endpoint.release();
        }
        if (failure != null) {
            return failure.getClass().getName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        }
        if (outcome.state() == DeliveryOutcome.State.ROLLED_BACK) {
            return "transaction rolled back";
        }
        if (!transacted) {
            d.sendReplies();
        }
        return null;
    }

    /** Creates an endpoint, waiting out a briefly exhausted MDB pool instead of counting it as an attempt. */
    private MessageEndpoint createEndpoint(DeliveryOutcome xa) throws ResourceException {
        for (int tries = 0; ; tries++) {
            try {
                return factory.createEndpoint(xa, 5_000);
            } catch (UnavailableException e) {
                if (stopping || tries >= 20) {
                    throw e;
                }
                pause(100);
            }
        }
    }

    private void deadLetter(UsmpSession session, Instant receivedAt, int attempts, String reason, byte[] payload) {
        try {
            Path file = deadLetters.write(session.deviceId().toHex(), session.sessionIdHex(), String.valueOf(session.remoteAddress()),
                    receivedAt, attempts, reason, payload);
            deadLettered.increment();
            LOG.log(Level.WARNING, "message from device {0} dead-lettered after {1} attempts: {2}", session.deviceId(), attempts,
                    file.getFileName());
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot write dead letter for device " + session.deviceId() + " to " + deadLetters.directory()
                    + ": " + e.getMessage());
        }
    }

    /** Waits before a redelivery; returns early when the activation stops. */
    private void backoff(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (wakeUp) {
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                try {
                    wakeUp.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ActivationStatsMXBean

    @Override
    public String getAddress() {
        return spec.getBindAddress() + ":" + (server == null ? spec.getPort() : server.localAddress().getPort());
    }

    private ServerStatistics stats() {
        return server.statistics();
    }

    @Override
    public int getSessionsOpen() {
        return stats().sessionsOpen();
    }

    @Override
    public long getHandshakesSucceeded() {
        return stats().handshakesSucceeded();
    }

    @Override
    public Map<String, Long> getHandshakesFailed() {
        return byKind(stats().handshakeFailures());
    }

    @Override
    public Map<String, Long> getSessionsClosed() {
        return byKind(stats().sessionsClosed());
    }

    private static Map<String, Long> byKind(Map<CloseReason, Long> counts) {
        Map<String, Long> m = new LinkedHashMap<>();
        counts.forEach((r, n) -> m.put(r.kind(), n));
        return m;
    }

    @Override
    public long getRefusedConnections() {
        return stats().refusedConnections();
    }

    @Override
    public long getMessagesDelivered() {
        return delivered.sum();
    }

    @Override
    public long getMessagesRedelivered() {
        return redelivered.sum();
    }

    @Override
    public long getMessagesDeadLettered() {
        return deadLettered.sum();
    }

    @Override
    public long getBytesIn() {
        return stats().bytesReceived();
    }

    @Override
    public long getBytesOut() {
        return stats().bytesSent();
    }

    @Override
    public long getQueueDepth() {
        return Math.max(0, stats().messagesReceived() - messagesFinished.sum());
    }
}
