package io.usmp.ra.testing;

import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.reflect.Method;
import javax.transaction.xa.XAResource;

/** An endpoint factory that is never asked for endpoints (no device sends uplink messages). */
public final class IdleEndpointFactory implements MessageEndpointFactory {
    private final String name;

    public IdleEndpointFactory(String name) {
        this.name = name;
    }

    @Override
    public MessageEndpoint createEndpoint(XAResource xa) throws UnavailableException {
        throw new UnavailableException("not used");
    }

    @Override
    public MessageEndpoint createEndpoint(XAResource xa, long timeout) throws UnavailableException {
        throw new UnavailableException("not used");
    }

    @Override
    public boolean isDeliveryTransacted(Method method) {
        return true;
    }

    @Override
    public String getActivationName() {
        return name;
    }

    @Override
    public Class<?> getEndpointClass() {
        return Object.class;
    }
}
