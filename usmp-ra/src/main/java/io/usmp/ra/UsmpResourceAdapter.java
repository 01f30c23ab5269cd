package io.usmp.ra;

import io.usmp.protocol.DeviceId;
import io.usmp.UsmpSession;
import io.usmp.UsmpTransport;
import io.usmp.ra.inbound.InboundActivation;
import io.usmp.ra.inbound.UsmpActivationSpec;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.WorkManager;
import java.io.Serializable;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import javax.transaction.xa.XAResource;

/**
 * The USMP resource adapter: owns the I/O threads (as WorkManager work) and the inbound
 * activations; outbound connections find device sessions through it.
 */
public class UsmpResourceAdapter implements ResourceAdapter, Serializable {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(UsmpResourceAdapter.class.getName());

    private Integer ioThreads = 2;
    private transient WorkManager workManager;
    private transient jakarta.transaction.TransactionSynchronizationRegistry transactions;
    private transient UsmpTransport transport;
    private final transient Map<MessageEndpointFactory, InboundActivation> activations = new ConcurrentHashMap<>();
    private final transient LongAdder downlinksUndeliverable = new LongAdder();
    private final transient List<javax.management.ObjectName> mbeans = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Netty event loops shared by all activations (each is one long-running Work). */
    public Integer getIoThreads() {
        return ioThreads;
    }

    public void setIoThreads(Integer ioThreads) {
        this.ioThreads = ioThreads;
    }

    @Override
    public void start(BootstrapContext ctx) throws ResourceAdapterInternalException {
        if (ioThreads == null || ioThreads < 1) {
            throw new ResourceAdapterInternalException("ioThreads must be at least 1, got " + ioThreads);
        }
        workManager = ctx.getWorkManager();
        transactions = ctx.getTransactionSynchronizationRegistry();
        transport = UsmpTransport.create(ioThreads, WorkExecutors.longRunning(workManager, "usmp-io"));
        LOG.log(Level.INFO, "USMP resource adapter started ({0} I/O threads)", ioThreads);
    }

    @Override
    public void stop() {
        new ArrayList<>(activations.keySet()).forEach(this::endpointDeactivation);
        for (javax.management.ObjectName name : mbeans) {
            try {
                java.lang.management.ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (javax.management.JMException | RuntimeException e) {
                LOG.log(Level.DEBUG, "MBean {0} already gone", name);
            }
        }
        mbeans.clear();
        if (transport != null) {
            transport.close();
            transport = null;
        }
        LOG.log(Level.INFO, "USMP resource adapter stopped");
    }

    @Override
    public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec) throws ResourceException {
        if (!(spec instanceof UsmpActivationSpec)) {
            throw new ResourceException("not a USMP activation spec: " + spec);
        }
        UsmpActivationSpec usmp = (UsmpActivationSpec) spec;
        usmp.validate();
        synchronized (activations) {
            for (InboundActivation a : activations.values()) {
                if (a.listensOn(usmp.getBindAddress(), usmp.getPort())) {
                    throw new ResourceException("another USMP activation already listens on " + usmp.getBindAddress() + ":"
                            + usmp.getPort() + " (" + a.name() + ")");
                }
            }
            InboundActivation activation = new InboundActivation(factory, usmp, transport,
                    WorkExecutors.shortWork(workManager, "usmp-delivery", transactions), this::findSession, downlinksUndeliverable::sum);
            activation.start();
            activations.put(factory, activation);
        }
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
        endpointDeactivation(factory);
    }

    private void endpointDeactivation(MessageEndpointFactory factory) {
        InboundActivation a = activations.remove(factory);
        if (a != null) {
            a.stop();
        }
    }

    /** Inbound sessions are not recoverable XA resources: there is nothing to recover. */
    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[0];
    }

    /**
     * The adapter's I/O threads (WorkManager work), for clients that dial out; fails when the
     * adapter is not started.
     */
    public UsmpTransport transport() throws ResourceAdapterInternalException {
        UsmpTransport t = transport;
        if (t == null) {
            throw new ResourceAdapterInternalException("the USMP resource adapter is not started");
        }
        return t;
    }

    /**
     * Registers an MXBean {@code io.usmp:type=<type>,name="<name>"} (a suffix {@code #2}, ... when
     * the name is taken) in the platform MBean server until the adapter stops; returns its name.
     */
    public javax.management.ObjectName registerMBean(String type, String name, Object mbean) throws ResourceException {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        for (int n = 1; n <= 100; n++) {
            try {
                javax.management.ObjectName on = new javax.management.ObjectName("io.usmp:type=" + type + ",name="
                        + javax.management.ObjectName.quote(n == 1 ? name : name + "#" + n));
                server.registerMBean(mbean, on);
                mbeans.add(on);
                return on;
            } catch (javax.management.InstanceAlreadyExistsException taken) {
                // try the next suffix
            } catch (javax.management.JMException e) {
                throw new ResourceException("cannot register the " + type + " MBean " + name + ": " + e.getMessage(), e);
            }
        }
        throw new ResourceException("cannot register the " + type + " MBean " + name + ": 100 names taken");
    }

    /** The open session of a device on any activation. */
    public Optional<UsmpSession> findSession(DeviceId device) {
        for (InboundActivation a : activations.values()) {
            Optional<UsmpSession> s = a.session(device);
            if (s.isPresent()) {
                return s;
            }
        }
        return Optional.empty();
    }

    /**
     * Counts (for the activations' MBean attribute {@code DownlinksUndeliverable}) and logs downlink
     * messages that were not handed to a session of {@code device}; never logs their content.
     */
    public void downlinksUndeliverable(DeviceId device, int messages, String why) {
        downlinksUndeliverable.add(messages);
        LOG.log(Level.WARNING, "{0} downlink message(s) to device {1} not sent: {2}", messages, device, why);
    }

    /** Device ids with an open session on any activation. */
    public List<DeviceId> connectedDevices() {
        List<DeviceId> ids = new ArrayList<>();
        activations.values().forEach(a -> a.sessions().forEach(s -> ids.add(s.deviceId())));
        return ids;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UsmpResourceAdapter other && Objects.equals(ioThreads, other.ioThreads);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(ioThreads);
    }
}
