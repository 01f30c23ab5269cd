package io.usmp.ra.api;

import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * One delivery to a {@link DeviceMessageListener}: a decrypted device message or, when the
 * activation asks for them ({@code deliverSessionEvents=true}), a session opening or closing.
 */
public interface DeviceMessage {
    /** What a delivery is about. */
    enum Kind {
        /** A message from the device; {@link #payload()} holds it. */
        MESSAGE,
        /** The device completed its handshake. */
        SESSION_OPENED,
        /** The session ended; {@link #closeReason()} says why. */
        SESSION_CLOSED
    }

    Kind kind();

    /** Device id as 12 lower-case hex digits. */
    String deviceId();

    /** A copy of the 6-byte device id. */
    byte[] deviceIdBytes();

    /** Session id as 32 lower-case hex digits. */
    String sessionId();

    /** A copy of the payload (empty for session events). */
    byte[] payload();

    /** When the gateway received the message (or saw the session event). */
    Instant receivedAt();

    InetSocketAddress remoteAddress();

    /** 1 for the first delivery, then 2, 3, … for redeliveries. */
    int deliveryAttempt();

    /**
     * For {@link Kind#SESSION_CLOSED}: the close reason's kind as in the protocol library
     * ({@code peer_bye}, {@code crypto}, {@code timeout}, …); null otherwise.
     */
    String closeReason();

    /**
     * Replies to the device over the same session. In a transacted delivery the reply is held
     * and sent only if this delivery commits; otherwise it is sent when the listener returns.
     *
     * @throws DeviceNotConnectedException the session has ended
     * @throws IllegalArgumentException    the reply is over 1808 bytes
     */
    void reply(byte[] payload) throws DeviceNotConnectedException;
}
