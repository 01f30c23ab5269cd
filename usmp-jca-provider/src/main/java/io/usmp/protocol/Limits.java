package io.usmp.protocol;

/** The protocol's sizes and limits (SPEC §1, §3, §4), defined here once for every layer. */
public final class Limits {
    /** Largest frame payload (SPEC §1); the length field of a longer claim is a violation. */
    public static final int MAX_FRAME_PAYLOAD = 480;
    /** The AES-GCM nonce a session payload starts with: {@code seq(4) ‖ session_id[0..8)}. */
    public static final int NONCE_LENGTH = 12;
    /** The AES-GCM tag a session payload ends with. */
    public static final int TAG_LENGTH = 16;
    /** What sealing adds around a plaintext: nonce and tag. */
    public static final int SEALED_OVERHEAD = NONCE_LENGTH + TAG_LENGTH;
    /** Largest plaintext one session frame carries (452). */
    public static final int MAX_FRAGMENT = MAX_FRAME_PAYLOAD - SEALED_OVERHEAD;
    /** Frames one message may span. */
    public static final int MAX_FRAGMENTS = 4;
    /** Largest message: {@value #MAX_FRAGMENTS} full fragments. */
    public static final int MAX_MESSAGE = MAX_FRAGMENT * MAX_FRAGMENTS;
    /** Shortest PSK a handshake accepts. */
    public static final int MIN_PSK_LENGTH = 16;

    private Limits() {
    }

    /**
     * Refuses a message over {@value #MAX_MESSAGE} bytes; senders call it on their own thread so
     * the caller learns at once, before anything is queued.
     */
    public static void checkMessageSize(byte[] message) throws PayloadException {
        if (message.length > MAX_MESSAGE) {
            throw new PayloadException("message of " + message.length + " bytes exceeds " + MAX_MESSAGE);
        }
    }

    /** True when {@code psk} is long enough to authenticate a handshake. */
    public static boolean isUsablePsk(byte[] psk) {
        return psk != null && psk.length >= MIN_PSK_LENGTH;
    }
}
