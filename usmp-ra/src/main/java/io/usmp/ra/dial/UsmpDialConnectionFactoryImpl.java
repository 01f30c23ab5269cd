package io.usmp.ra.dial;

import io.usmp.ra.PooledConnectionFactory;
import io.usmp.ra.api.UsmpDialConnection;
import io.usmp.ra.api.UsmpDialConnectionFactory;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;

/** The dial-out factory applications look up; sessions come from the container's pool. */
final class UsmpDialConnectionFactoryImpl extends PooledConnectionFactory implements UsmpDialConnectionFactory {
    private static final long serialVersionUID = 1L;

    UsmpDialConnectionFactoryImpl(UsmpDialManagedConnectionFactory mcf, ConnectionManager cm) {
        super(mcf, cm);
    }

    @Override
    public UsmpDialConnection getConnection() throws ResourceException {
        return (UsmpDialConnection) allocateConnection();
    }
}
