package io.usmp.ra.api;

import jakarta.resource.ResourceException;

/**
 * A dial-out session failed; the pool discards it. {@link #getErrorCode()} says why, in the core's
 * close-reason words ({@code peer_bye}, {@code peer_disconnected}, {@code timeout}, {@code auth},
 * {@code sequence}, ...) or {@code connect} when no TCP connection could be made.
 */
public class UsmpDialException extends ResourceException {
    private static final long serialVersionUID = 1L;

    public UsmpDialException(String message, String reason, Throwable cause) {
        super(message, reason);
        if (cause != null) {
            initCause(cause);
        }
    }
}
