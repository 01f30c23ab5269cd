package io.usmp.ra.api;

import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import java.io.Serializable;

/**
 * Connection factory for dial-out: pooled, authenticated USMP client sessions to one remote USMP
 * server (a field gateway, a device in the server role, another gateway), looked up in JNDI
 * (default {@code java:/usmp/DialConnectionFactory}).
 */
public interface UsmpDialConnectionFactory extends Serializable, Referenceable {
    /**
     * A handle on a pooled session; a new session (one handshake) only when the pool has no idle one.
     *
     * @throws UsmpDialException the handshake failed or timed out
     */
    UsmpDialConnection getConnection() throws ResourceException;
}
