package io.usmp.sample;

import jakarta.ejb.ApplicationException;

/** The command could not be stored; its transaction rolls back, so it is not sent either. */
@ApplicationException(rollback = true)
public class CommandNotRecordedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandNotRecordedException(Throwable cause) {
        super("command not recorded: " + cause.getMessage(), cause);
    }
}
