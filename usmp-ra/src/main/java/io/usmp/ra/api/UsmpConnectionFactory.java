package io.usmp.ra.api;

import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import java.io.Serializable;

/** Connection factory for downlink sends, looked up in JNDI (default {@code java:/usmp/ConnectionFactory}). */
public interface UsmpConnectionFactory extends Serializable, Referenceable {
    UsmpConnection getConnection() throws ResourceException;
}
