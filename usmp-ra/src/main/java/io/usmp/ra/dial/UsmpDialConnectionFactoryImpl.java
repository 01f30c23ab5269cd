package io.usmp.ra.dial;

import io.usmp.ra.api.UsmpDialConnection;
import io.usmp.ra.api.UsmpDialConnectionFactory;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import javax.naming.Reference;

/** The dial-out factory applications look up; sessions come from the container's pool. */
final class UsmpDialConnectionFactoryImpl implements UsmpDialConnectionFactory {
    private static final long serialVersionUID = 1L;

    private final UsmpDialManagedConnectionFactory mcf;
    private final transient ConnectionManager cm;
    private Reference reference;

    UsmpDialConnectionFactoryImpl(UsmpDialManagedConnectionFactory mcf, ConnectionManager cm) {
        this.mcf = mcf;
        this.cm = cm;
    }

    @Override
    public UsmpDialConnection getConnection() throws ResourceException {
        return (UsmpDialConnection) cm.allocateConnection(mcf, null);
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }
}
