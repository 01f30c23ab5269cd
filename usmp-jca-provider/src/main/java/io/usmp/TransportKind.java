package io.usmp;

/** The transports a gateway serves and a device connects over. */
public enum TransportKind {
    /** One TCP connection per session, frames as a byte stream (SPEC §1–§4). */
    TCP,
    /**
     * Datagrams (SPEC §5): one frame per datagram, UTACK acknowledgements with stop-and-wait
     * resends, a replay window, a stateless return-routability cookie before any gateway state.
     */
    UDP
}
