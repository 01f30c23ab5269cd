package io.usmp.protocol;

/**
 * The peer does not take what is sent to it: its session's outbound buffer is above the high water
 * mark. Thrown (through the send's completion) when a send is refused because the session is
 * unwritable, in which case nothing was queued and the session stays open; and the cause of a
 * session closed with {@link CloseReason#SLOW_CONSUMER} because it stayed unwritable too long.
 * Reserved code {@link ErrorCode#TIMEOUT}: the peer is too slow, as with a missing keepalive.
 */
public class BackpressureException extends UsmpException {
    private static final long serialVersionUID = 1L;

    public BackpressureException(String message) {
        super(message, ErrorCode.TIMEOUT, CloseReason.SLOW_CONSUMER, null);
    }
}
