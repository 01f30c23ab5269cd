package io.usmp.ra.inbound;

import io.usmp.ServerStatistics;
import io.usmp.protocol.CloseReason;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** The MXBean of one activation: the gateway's statistics and the delivery loop's counters. */
final class ActivationStats implements ActivationStatsMXBean {
    private static final System.Logger LOG = System.getLogger(ActivationStats.class.getName());

    private final String address;
    private final Supplier<ServerStatistics> gateway;
    private final DeliveryLoop deliveries;
    private final LongSupplier downlinksUndeliverable;
    private ObjectName name;

    ActivationStats(String address, Supplier<ServerStatistics> gateway, DeliveryLoop deliveries,
                    LongSupplier downlinksUndeliverable) {
        this.address = address;
        this.gateway = gateway;
        this.deliveries = deliveries;
        this.downlinksUndeliverable = downlinksUndeliverable;
    }

    /** Registers as {@code io.usmp:type=Activation,address="host:port"}, replacing a stale one. */
    void register() {
        try {
            MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
            ObjectName n = new ObjectName("io.usmp", new Hashtable<>(Map.of("type", "Activation",
                    "address", ObjectName.quote(address))));
            if (mbs.isRegistered(n)) {
                mbs.unregisterMBean(n);
            }
            mbs.registerMBean(this, n);
            name = n;
        } catch (JMException e) {
            LOG.log(Level.WARNING, "cannot register the USMP statistics MBean: " + e.getMessage());
        }
    }

    void unregister() {
        if (name == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException e) {
            LOG.log(Level.DEBUG, "MBean already gone: " + e.getMessage());
        }
        name = null;
    }

    @Override
    public String getAddress() {
        return address;
    }

    @Override
    public int getSessionsOpen() {
        return gateway.get().sessionsOpen();
    }

    @Override
    public long getHandshakesSucceeded() {
        return gateway.get().handshakesSucceeded();
    }

    @Override
    public Map<String, Long> getHandshakesFailed() {
        return byKind(gateway.get().handshakeFailures());
    }

    @Override
    public Map<String, Long> getSessionsClosed() {
        return byKind(gateway.get().sessionsClosed());
    }

    private static Map<String, Long> byKind(Map<CloseReason, Long> counts) {
        Map<String, Long> m = new LinkedHashMap<>();
        counts.forEach((r, n) -> m.put(r.kind(), n));
        return m;
    }

    @Override
    public long getRefusedConnections() {
        return gateway.get().refusedConnections();
    }

    @Override
    public Map<String, Long> getRefusedByCause() {
        Map<String, Long> m = new LinkedHashMap<>();
        gateway.get().refusals().forEach((cause, n) -> m.put(cause.kind(), n));
        return m;
    }

    @Override
    public long getLockouts() {
        return gateway.get().lockouts();
    }

    @Override
    public long getMessagesDelivered() {
        return deliveries.delivered.sum();
    }

    @Override
    public long getMessagesRedelivered() {
        return deliveries.redelivered.sum();
    }

    @Override
    public long getMessagesDeadLettered() {
        return deliveries.deadLettered.sum();
    }

    @Override
    public long getBytesIn() {
        return gateway.get().bytesReceived();
    }

    @Override
    public long getBytesOut() {
        return gateway.get().bytesSent();
    }

    @Override
    public long getQueueDepth() {
        return Math.max(0, gateway.get().messagesReceived() - deliveries.messagesFinished.sum());
    }

    @Override
    public long getRepliesUndeliverable() {
        return deliveries.repliesUndeliverable.sum();
    }

    @Override
    public long getDownlinksUndeliverable() {
        return downlinksUndeliverable.getAsLong();
    }

    @Override
    public long getDeadLetterFailures() {
        return deliveries.deadLetterFailures.sum();
    }

    @Override
    public boolean isDeadLetterWritable() {
        return deliveries.deadLetterWritable;
    }

    @Override
    public long getDeadLettersLost() {
        return deliveries.deadLettersLost.sum();
    }
}
