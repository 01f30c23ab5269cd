package io.usmp;

import io.usmp.protocol.CloseReason;

import java.util.Map;

/**
 * A snapshot of a gateway's counters.
 *
 * @param handshakeFailures failed handshakes by reason (only reasons seen are present)
 * @param refusedConnections connections closed at once: over a limit or from a locked-out address
 * @param lockouts           times an address was locked out after consecutive failed handshakes
 */
public record ServerStatistics(int sessionsOpen, long handshakesSucceeded, Map<CloseReason, Long> handshakeFailures,
                               long refusedConnections, long lockouts, long messagesReceived, long messagesSent, long bytesReceived,
                               long bytesSent, Map<CloseReason, Long> sessionsClosed) {
    public ServerStatistics {
        handshakeFailures = Map.copyOf(handshakeFailures);
        sessionsClosed = Map.copyOf(sessionsClosed);
    }
}
