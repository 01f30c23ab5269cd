package io.usmp.ra.api;

/** No reply to a {@link UsmpDialConnection#request} in time; the session is discarded (error code {@code timeout}). */
public class UsmpDialTimeoutException extends UsmpDialException {
    private static final long serialVersionUID = 1L;

    public UsmpDialTimeoutException(String message) {
        super(message, "timeout", null);
    }
}
