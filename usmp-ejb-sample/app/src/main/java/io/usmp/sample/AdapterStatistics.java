package io.usmp.sample;

import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** Reads the adapter's JMX statistics (one MXBean per activation, i.e. per listening port). */
@ApplicationScoped
public class AdapterStatistics {
    private static final ObjectName ACTIVATIONS = name("io.usmp:type=Activation,*");

    /** Messages dead-lettered since the adapter started, summed over its activations. */
    public long messagesDeadLettered() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        long total = 0;
        for (ObjectName activation : server.queryNames(ACTIVATIONS, null)) {
            try {
                total += (Long) server.getAttribute(activation, "MessagesDeadLettered");
            } catch (JMException e) {
                // The activation went away between the query and the read: it counts no more.
            }
        }
        return total;
    }

    private static ObjectName name(String pattern) {
        try {
            return new ObjectName(pattern);
        } catch (JMException e) {
            throw new IllegalArgumentException(pattern, e);
        }
    }
}
