package io.usmp.ra;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import java.io.PrintWriter;

/**
 * What the adapter's managed connection factories share: the association with the USMP resource
 * adapter and the container's log writer. Holds no configuration (both are transient), so the
 * subclasses' equals and hashCode still cover all of theirs. Public only because the factories live
 * in other packages.
 */
public abstract class AdapterManagedConnectionFactory implements ManagedConnectionFactory, ResourceAdapterAssociation {
    private static final long serialVersionUID = 1L;

    private transient UsmpResourceAdapter resourceAdapter;
    private transient PrintWriter logWriter;

    /** Connections come only from an application server's pool. */
    @Override
    public Object createConnectionFactory() throws ResourceException {
        throw new NotSupportedException("the USMP adapter runs inside an application server only");
    }

    /** The associated adapter, or null until the container associates it. */
    protected final UsmpResourceAdapter resourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) throws ResourceException {
        if (!(ra instanceof UsmpResourceAdapter)) {
            throw new ResourceException("not the USMP resource adapter: " + ra);
        }
        this.resourceAdapter = (UsmpResourceAdapter) ra;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }
}
