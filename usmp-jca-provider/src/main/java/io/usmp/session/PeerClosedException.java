package io.usmp.session;

import io.usmp.protocol.ConnectionClosedException;

/**
 * The peer closed its connection without BYE, as upstream 1.0.x C devices always do. Without a
 * stack trace: where the event loop noticed the EOF tells nothing, and filling the trace in was
 * about 1.5 % of the gateway's CPU per handshake of such a device (BENCHMARKS.md, run G).
 */
final class PeerClosedException extends ConnectionClosedException {
    private static final long serialVersionUID = 1L;

    PeerClosedException() {
        super("peer closed the connection without BYE");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
