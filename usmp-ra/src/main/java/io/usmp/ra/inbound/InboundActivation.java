package io.usmp.ra.inbound;

import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.UsmpTransport;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongSupplier;
import javax.security.auth.DestroyFailedException;
import javax.security.auth.Destroyable;

/**
 * The life cycle of one MDB activation: a USMP gateway (configured by {@link ActivationConfig})
 * whose events go through a {@link DeliveryLoop}, with its statistics as an MXBean.
 */
public final class InboundActivation {
    private static final System.Logger LOG = System.getLogger(InboundActivation.class.getName());
    /** Bound on handing back (dead-lettering) what is left once the grace is over. */
    private static final long HAND_BACK_TIMEOUT_MILLIS = 30_000;

    private final MessageEndpointFactory factory;
    private final UsmpActivationSpec spec;
    private final UsmpTransport transport;
    private final Executor deliveryWork;
    private final DeliveryLoop deliveries;
    private final LongSupplier downlinksUndeliverable;
    private PskResolver psks;
    private volatile UsmpServer server;
    private ActivationStats stats;

    /** I/O on {@code transport}; deliveries run as tasks given to {@code deliveryWork}. */
    public InboundActivation(MessageEndpointFactory factory, UsmpActivationSpec spec, UsmpTransport transport,
                             Executor deliveryWork) {
        this(factory, spec, transport, deliveryWork, null, () -> 0);
    }

    /**
     * {@code sessions} finds a device's current session on any activation (replies committed after
     * a reconnect go to it; null: this activation's own sessions only); {@code downlinksUndeliverable}
     * is the adapter's count of downlink messages that found no usable session, shown by the MBean.
     */
    public InboundActivation(MessageEndpointFactory factory, UsmpActivationSpec spec, UsmpTransport transport,
                             Executor deliveryWork, Function<DeviceId, Optional<UsmpSession>> sessions,
                             LongSupplier downlinksUndeliverable) {
        this.factory = factory;
        this.spec = spec;
        this.transport = transport;
        this.deliveryWork = deliveryWork;
        this.downlinksUndeliverable = downlinksUndeliverable;
        this.deliveries = DeliveryLoop.of(factory, spec, sessions != null ? sessions : this::session);
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
        psks = ActivationConfig.loadPsks(spec);
        try {
            server = UsmpServer.start(ActivationConfig.gateway(spec, psks, transport, deliveryWork), deliveries);
        } catch (IOException e) {
            destroyPsks();
            throw new ResourceException("USMP activation " + name() + " cannot listen on " + spec.getBindAddress() + ":"
                    + spec.getPort() + ": " + e.getMessage(), e);
        }
        String address = spec.getBindAddress() + ":" + server.localAddress().getPort();
        stats = new ActivationStats(address, server::statistics, deliveries, downlinksUndeliverable);
        stats.register();
        LOG.log(Level.INFO, "USMP activation {0} listening on {1} ({2}{3}); dead letters go to {4}", name(), address,
                spec.getTransport(), server.udpAddress().map(u -> ", udp port " + u.getPort()).orElse(""),
                deliveries.deadLetterDirectory());
    }

    /**
     * Stops accepting, sends BYE to every device and lets queued deliveries run for the grace
     * period; what is still queued or waiting for a redelivery then goes to the dead-letter
     * location. Returns only when every message has been delivered or written there.
     */
    public void stop() {
        if (server != null) {
            server.close(spec.getShutdownGraceMillis());
            deliveries.stop();
            try {
                if (!server.awaitListenerIdle(HAND_BACK_TIMEOUT_MILLIS)) {
                    LOG.log(Level.ERROR, "USMP activation {0}: deliveries still running {1} ms after stop", name(),
                            HAND_BACK_TIMEOUT_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deliveries.stop();
        destroyPsks();
        if (stats != null) {
            stats.unregister();
        }
        LOG.log(Level.INFO, "USMP activation {0} stopped", name());
    }

    /** Wipes every device PSK this activation loaded: nothing of them stays on the heap after undeploy. */
    private void destroyPsks() {
        if (psks instanceof Destroyable d) {
            try {
                d.destroy();
            } catch (DestroyFailedException e) {
                LOG.log(Level.WARNING, "USMP activation {0}: the PSKs could not be wiped: {1}", name(), e.getMessage());
            }
        }
        psks = null;
    }

    public Optional<UsmpSession> session(DeviceId device) {
        return server == null ? Optional.empty() : server.session(device);
    }

    public Collection<UsmpSession> sessions() {
        return server == null ? List.of() : server.sessions();
    }
}
