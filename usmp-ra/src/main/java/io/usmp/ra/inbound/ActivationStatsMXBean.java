package io.usmp.ra.inbound;

import java.util.Map;

/** Per-activation counters, registered as {@code io.usmp:type=Activation,address="host:port"}. */
public interface ActivationStatsMXBean {
    String getAddress();

    int getSessionsOpen();

    long getHandshakesSucceeded();

    /** Failed handshakes by reason kind (auth, timeout, bad_frame, …). */
    Map<String, Long> getHandshakesFailed();

    /** Ended sessions by reason kind. */
    Map<String, Long> getSessionsClosed();

    long getRefusedConnections();

    /** Refused connections by cause (over_total, over_per_ip, locked_out, shutting_down). */
    Map<String, Long> getRefusedByCause();

    /** Times an address was locked out after consecutive failed handshakes (SPEC §6). */
    long getLockouts();

    long getMessagesDelivered();

    long getMessagesRedelivered();

    long getMessagesDeadLettered();

    long getBytesIn();

    long getBytesOut();

    /** Messages received and not yet delivered, over all devices. */
    long getQueueDepth();
}
