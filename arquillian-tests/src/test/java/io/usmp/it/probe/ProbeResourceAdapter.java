package io.usmp.it.probe;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkManager;
import java.lang.reflect.Method;
import javax.transaction.xa.XAResource;

/**
 * Inbound-only adapter: on endpoint activation it schedules one Work with the container's
 * WorkManager; the Work, on a WorkManager thread, creates an endpoint per message with its own
 * {@link RecordingXAResource} and delivers it between beforeDelivery and afterDelivery.
 */
public class ProbeResourceAdapter implements ResourceAdapter {

    /** Counters kept in system properties survive the undeploy, so a redeploy test can see them. */
    static final String STOPS = "usmp.probe.ra.stops";
    static final String DEACTIVATIONS = "usmp.probe.ra.deactivations";

    private volatile WorkManager workManager;

    @Override
    public void start(BootstrapContext ctx) {
        workManager = ctx.getWorkManager();
        ProbeLog.add("ra.start");
    }

    @Override
    public void stop() {
        ProbeLog.add("ra.stop");
        increment(STOPS);
    }

    @Override
    public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec) throws ResourceException {
        ProbeActivationSpec probeSpec = (ProbeActivationSpec) spec;
        ProbeLog.add("ra.endpointActivation thread=" + Thread.currentThread().getName());
        workManager.scheduleWork(new DeliveryWork(factory, probeSpec.getMessages().split(",")));
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
        ProbeLog.add("ra.endpointDeactivation");
        increment(DEACTIVATIONS);
    }

    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[0];
    }

    // No config properties: all instances are equal.
    @Override
    public boolean equals(Object other) {
        return other != null && other.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    private static synchronized void increment(String property) {
        System.setProperty(property, String.valueOf(Integer.getInteger(property, 0) + 1));
    }

    private static final class DeliveryWork implements Work {

        private final MessageEndpointFactory factory;
        private final String[] messages;

        DeliveryWork(MessageEndpointFactory factory, String[] messages) {
            this.factory = factory;
            this.messages = messages;
        }

        @Override
        public void run() {
            ProbeLog.add("work.run thread=" + Thread.currentThread().getName());
            try {
                Method onProbe = ProbeListener.class.getMethod("onProbe", String.class);
                ProbeLog.add("work.isDeliveryTransacted=" + factory.isDeliveryTransacted(onProbe));
                for (String message : messages) {
                    deliver(onProbe, message.trim());
                }
            } catch (Throwable t) {
                ProbeLog.add("work.failed " + t);
            }
            ProbeLog.add("work.done");
        }

        private void deliver(Method onProbe, String message) throws Exception {
            MessageEndpoint endpoint = createEndpoint(new RecordingXAResource(message));
            try {
                endpoint.beforeDelivery(onProbe);
                try {
                    ((ProbeListener) endpoint).onProbe(message);
                    ProbeLog.add("delivered[" + message + "]");
                } finally {
                    endpoint.afterDelivery();
                    ProbeLog.add("afterDelivery[" + message + "]");
                }
            } catch (Exception e) {
                ProbeLog.add("deliveryFailed[" + message + "] " + e);
            } finally {
                endpoint.release();
            }
        }

        /** The MDB may still be starting when the Work runs; retry for a while. */
        private MessageEndpoint createEndpoint(XAResource xa) throws UnavailableException, InterruptedException {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (true) {
                try {
                    return factory.createEndpoint(xa);
                } catch (UnavailableException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    ProbeLog.add("work.createEndpoint unavailable, retrying: " + e.getMessage());
                    Thread.sleep(100);
                }
            }
        }

        @Override
        public void release() {
        }
    }
}
