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

    /** Committed replies not sent: their device had no session when they were due, or the write failed. */
    long getRepliesUndeliverable();

    /**
     * Adapter-wide (the same in every activation's MBean): downlink messages that were not handed
     * to a session, because a commit was refused (a target not connected or not writable) or a
     * link died or timed out during a commit's flush.
     */
    long getDownlinksUndeliverable();

    /** Failed attempts to write a dead letter; each retry counts. */
    long getDeadLetterFailures();

    /** False from a failed dead-letter write until one succeeds (deliveries of that device wait meanwhile). */
    boolean isDeadLetterWritable();

    /** Messages lost because their dead letter still could not be written when the activation stopped. */
    long getDeadLettersLost();
}
