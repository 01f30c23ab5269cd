package io.usmp.protocol;

/**
 * Why a session (or a handshake) ended. The failure kinds mirror SPEC §7, so logs and metrics can
 * count them; {@link #LOCAL}, {@link #PEER_BYE} and {@link #PEER_DISCONNECTED} are orderly ends.
 */
public enum CloseReason {
    /** This side closed the session (a BYE was sent when the session was established). */
    LOCAL(false),
    /** The peer sent BYE. */
    PEER_BYE(false),
    /** The transport closed without a BYE (1.0.x C clients do this). */
    PEER_DISCONNECTED(false),
    /** Bad magic, CRC, length, layout or unknown packet type. */
    BAD_FRAME(true),
    /** Wrong protocol version byte. */
    VERSION(true),
    /** Transcript MAC mismatch, unknown device or unusable PSK. */
    AUTH(true),
    /** Any other handshake failure (unexpected frame, bad key). */
    HANDSHAKE(true),
    /** Message over 1808 bytes or 4 frames. */
    PAYLOAD(true),
    /** Sequence mismatch, control frame during reassembly, sequence exhausted, control-frame flood. */
    SEQUENCE(true),
    /** AES-GCM tag or carried-nonce check failed. */
    CRYPTO(true),
    /** Handshake too slow or nothing received within the session timeout. */
    TIMEOUT(true),
    /**
     * The peer is alive but does not read: what was sent to it stayed above the write buffer's high
     * water mark for the slow-consumer timeout. Distinct from {@link #TIMEOUT} (the peer went silent)
     * so that metrics tell a dead device from one that stopped draining its socket.
     */
    SLOW_CONSUMER(true),
    /** A failure inside this implementation. */
    INTERNAL(true);

    private final boolean violation;

    CloseReason(boolean violation) {
        this.violation = violation;
    }

    /** True when the session ended because a rule was broken rather than by an orderly close. */
    public boolean isViolation() {
        return violation;
    }

    /** Lower-case name used on the command line and in logs, e.g. {@code peer_bye}. */
    public String kind() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
