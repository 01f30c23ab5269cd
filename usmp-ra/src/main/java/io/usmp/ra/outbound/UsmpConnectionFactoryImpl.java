package io.usmp.ra.outbound;

import io.usmp.ra.PooledConnectionFactory;
import io.usmp.ra.api.UsmpConnection;
import io.usmp.ra.api.UsmpConnectionFactory;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;

/** The factory applications look up; connections come from the container's pool. */
final class UsmpConnectionFactoryImpl extends PooledConnectionFactory implements UsmpConnectionFactory {
    private static final long serialVersionUID = 1L;

    UsmpConnectionFactoryImpl(UsmpManagedConnectionFactory mcf, ConnectionManager cm) {
        super(mcf, cm);
    }

    @Override
    public UsmpConnection getConnection() throws ResourceException {
        return (UsmpConnection) allocateConnection();
    }
}
