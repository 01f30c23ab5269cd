package io.usmp;

import io.usmp.protocol.CloseReason;

import java.util.Map;

/**
 * A snapshot of a gateway's counters.
 *
 * @param handshakeFailures    failed handshakes by reason (only reasons seen are present)
 * @param refusals             connections closed at once, by cause (only causes seen are present)
 * @param lockouts             times a source was locked out after consecutive authentication failures
 * @param outboundBytesPending bytes queued for the sockets of all open connections now, not yet
 *                             taken by the kernel (Netty's accounting, with its per-write overhead)
 * @param unwritableEvents     times a session's outbound buffer rose above the high water mark
 * @param sendsRefused         sends refused with {@link io.usmp.protocol.BackpressureException}
 *                             because their session was unwritable
 */
public record ServerStatistics(int sessionsOpen, long handshakesSucceeded, Map<CloseReason, Long> handshakeFailures,
                               Map<Refusal, Long> refusals, long lockouts, long messagesReceived, long messagesSent,
                               long bytesReceived, long bytesSent, Map<CloseReason, Long> sessionsClosed,
                               long outboundBytesPending, long unwritableEvents, long sendsRefused) {
    public ServerStatistics {
        handshakeFailures = Map.copyOf(handshakeFailures);
        refusals = Map.copyOf(refusals);
        sessionsClosed = Map.copyOf(sessionsClosed);
    }

    /** Connections closed at once, all causes together. */
    public long refusedConnections() {
        return refusals.values().stream().mapToLong(Long::longValue).sum();
    }
}
