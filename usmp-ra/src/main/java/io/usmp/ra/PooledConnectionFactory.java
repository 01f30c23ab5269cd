package io.usmp.ra;

import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ManagedConnectionFactory;
import java.io.Serializable;
import javax.naming.Reference;

/**
 * What the connection factories applications look up have in common: connections come from the
 * container's pool for one managed connection factory, and the container binds them by reference.
 * Public only because the factories live in other packages; not for applications.
 */
public abstract class PooledConnectionFactory implements Serializable, Referenceable {
    private static final long serialVersionUID = 1L;

    private final ManagedConnectionFactory mcf;
    private final transient ConnectionManager cm;
    private Reference reference;

    protected PooledConnectionFactory(ManagedConnectionFactory mcf, ConnectionManager cm) {
        this.mcf = mcf;
        this.cm = cm;
    }

    /** A connection handle from the pool, of the type the managed connection factory hands out. */
    protected final Object allocateConnection() throws ResourceException {
        return cm.allocateConnection(mcf, null);
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
