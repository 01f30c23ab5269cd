package io.usmp.it.probe;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;

/** One config property: the comma-separated messages to deliver once the endpoint is active. */
public class ProbeActivationSpec implements ActivationSpec {

    private String messages;
    private ResourceAdapter resourceAdapter;

    public String getMessages() {
        return messages;
    }

    public void setMessages(String messages) {
        this.messages = messages;
    }

    @Override
    public void validate() throws InvalidPropertyException {
        if (messages == null || messages.isBlank()) {
            throw new InvalidPropertyException("messages must not be empty");
        }
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) throws ResourceException {
        this.resourceAdapter = ra;
    }
}
