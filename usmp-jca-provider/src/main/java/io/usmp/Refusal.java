package io.usmp;

import java.util.Locale;

/**
 * Why a gateway closed a connection at once, before any handshake work (SPEC §6). The device only
 * sees the connection close (fail fast, no error frame); the gateway counts and logs the cause.
 */
public enum Refusal {
    /** The gateway holds its maximum number of connections. */
    OVER_TOTAL,
    /** The source address (IPv6: its /64) holds its maximum number of connections. */
    OVER_PER_IP,
    /** The source is locked out after consecutive authentication failures. */
    LOCKED_OUT,
    /** The gateway is shutting down. */
    SHUTTING_DOWN;

    /** Lower-case name used in logs and statistics, e.g. {@code over_per_ip}. */
    public String kind() {
        return name().toLowerCase(Locale.ROOT);
    }
}
