package io.usmp.ra.outbound;

import io.usmp.ra.AdapterManagedConnectionFactory;
import io.usmp.ra.UsmpResourceAdapter;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Subject;

/**
 * Outbound side: pooled connections that send to devices connected to any activation of the
 * adapter. All managed connections are alike (no per-user state), so any of them matches.
 */
public class UsmpManagedConnectionFactory extends AdapterManagedConnectionFactory {
    private static final long serialVersionUID = 1L;

    private Integer sendTimeoutMillis = 5_000;

    /** How long a send waits for the device's socket to take the message. */
    public Integer getSendTimeoutMillis() {
        return sendTimeoutMillis;
    }

    public void setSendTimeoutMillis(Integer sendTimeoutMillis) {
        this.sendTimeoutMillis = sendTimeoutMillis;
    }

    @Override
    public Object createConnectionFactory(ConnectionManager cm) {
        return new UsmpConnectionFactoryImpl(this, cm);
    }

    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) throws ResourceException {
        if (resourceAdapter() == null) {
            throw new ResourceException("the USMP connection factory is not associated with its resource adapter");
        }
        return new UsmpManagedConnection(this);
    }

    @Override
    public ManagedConnection matchManagedConnections(Set connections, Subject subject, ConnectionRequestInfo info) {
        for (Object o : connections) {
            if (o instanceof UsmpManagedConnection mc && mc.factory() == this && mc.isUsable()) {
                return mc;
            }
        }
        return null;
    }

    /** For this package's connections (the base class's accessor is protected). */
    UsmpResourceAdapter adapter() {
        return resourceAdapter();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UsmpManagedConnectionFactory other && Objects.equals(sendTimeoutMillis, other.sendTimeoutMillis);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(sendTimeoutMillis);
    }
}
