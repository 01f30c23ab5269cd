package io.usmp.ra.outbound;

import io.usmp.ra.api.UsmpConnection;
import io.usmp.ra.api.UsmpConnectionFactory;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import javax.naming.Reference;

/** The factory applications look up; connections come from the container's pool. */
final class UsmpConnectionFactoryImpl implements UsmpConnectionFactory {
    private static final long serialVersionUID = 1L;

    private final UsmpManagedConnectionFactory mcf;
    private final transient ConnectionManager cm;
    private Reference reference;

    UsmpConnectionFactoryImpl(UsmpManagedConnectionFactory mcf, ConnectionManager cm) {
        this.mcf = mcf;
        this.cm = cm;
    }

    @Override
    public UsmpConnection getConnection() throws ResourceException {
        return (UsmpConnection) cm.allocateConnection(mcf, null);
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
