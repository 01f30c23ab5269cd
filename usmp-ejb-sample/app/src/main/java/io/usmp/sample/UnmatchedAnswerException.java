package io.usmp.sample;

import jakarta.ejb.ApplicationException;

/**
 * A device answered, but no unanswered command of it is visible yet. That happens when the device
 * is quick: the adapter sends a command in the commit's one-phase step, before the database's
 * second phase makes the command's row visible. Rolling back has the adapter deliver the answer
 * again a moment later; an answer to no command at all ends as a dead letter.
 */
@ApplicationException(rollback = true)
public class UnmatchedAnswerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnmatchedAnswerException(String deviceId) {
        super("device " + deviceId + " answered, but has no unanswered command");
    }
}
