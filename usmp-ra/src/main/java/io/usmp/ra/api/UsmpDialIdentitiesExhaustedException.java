package io.usmp.ra.api;

import jakarta.resource.spi.ResourceAllocationException;

/**
 * Every identity of a dial-out factory ({@code deviceId} / {@code deviceIds}) already has a session,
 * so no further session can be opened: a USMP server keeps one session per device id, and a second
 * one would replace the first. Error code {@code identities_exhausted}. Raise the number of
 * identities, or keep the pool's {@code max-pool-size} at most their number so the pool makes
 * callers wait instead.
 */
public class UsmpDialIdentitiesExhaustedException extends ResourceAllocationException {
    private static final long serialVersionUID = 1L;

    public UsmpDialIdentitiesExhaustedException(String message) {
        super(message, "identities_exhausted");
    }
}
