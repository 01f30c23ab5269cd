package io.usmp;

import io.usmp.protocol.CloseReason;

import java.util.Map;

/**
 * A snapshot of a gateway's counters.
 *
 * @param handshakeFailures   failed handshakes by reason (only reasons seen are present)
 * @param refusedConnections  connections closed at once: over a limit or from a locked-out address
 * @param lockouts            times an address was locked out after consecutive failed handshakes
 * @param outboundBytesPending bytes queued for the sockets of all open connections now, not yet
 *                            taken by the kernel (Netty's accounting, with its per-write overhead)
 * @param unwritableEvents    times a session's outbound buffer rose above the high water mark
 * @param sendsRefused        sends refused with {@link io.usmp.protocol.BackpressureException}
 *                            because their session was unwritable
 */
public record ServerStatistics(int sessionsOpen, long handshakesSucceeded, Map<CloseReason, Long> handshakeFailures,
                               long refusedConnections, long lockouts, long messagesReceived, long messagesSent, long bytesReceived,
                               long bytesSent, Map<CloseReason, Long> sessionsClosed, long outboundBytesPending,
                               long unwritableEvents, long sendsRefused) {
    public ServerStatistics {
        handshakeFailures = Map.copyOf(handshakeFailures);
        sessionsClosed = Map.copyOf(sessionsClosed);
    }

    /** Statistics without the output backpressure figures (all zero). */
    public ServerStatistics(int sessionsOpen, long handshakesSucceeded, Map<CloseReason, Long> handshakeFailures,
                            long refusedConnections, long lockouts, long messagesReceived, long messagesSent, long bytesReceived,
                            long bytesSent, Map<CloseReason, Long> sessionsClosed) {
        this(sessionsOpen, handshakesSucceeded, handshakeFailures, refusedConnections, lockouts, messagesReceived, messagesSent,
                bytesReceived, bytesSent, sessionsClosed, 0, 0, 0);
    }
}
