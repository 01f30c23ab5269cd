package io.usmp.sample.payload;

import jakarta.ejb.ApplicationException;

/**
 * A device message that is not one of the documented formats. An application exception that rolls
 * the delivery back: the adapter retries and then dead-letters the message, and the container
 * keeps the MDB instance (a system exception would discard it and log an error each time).
 */
@ApplicationException(rollback = true)
public class MalformedPayloadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedPayloadException(String message) {
        super(message);
    }
}
