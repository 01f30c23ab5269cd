package io.usmp.ra.inbound;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PayloadException;
import io.usmp.UsmpSession;
import io.usmp.protocol.Limits;
import io.usmp.ra.api.DeviceMessage;
import io.usmp.ra.api.DeviceNotConnectedException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.LongAdder;

/**
 * One delivery attempt's view of a device event, as the MDB sees it. Replies go by device id to
 * the device's session current when they are sent (after commit), which after a reconnect is not
 * the session the message came on; replies that find no session are counted and logged.
 */
final class Delivery implements DeviceMessage {
    private static final System.Logger LOG = System.getLogger(Delivery.class.getName());
    private final Kind kind;
    private final UsmpSession session;
    private final byte[] payload;
    private final Instant receivedAt;
    private final String closeReason;
    private final int attempt;
    private final List<byte[]> replies = new ArrayList<>();
    private final Function<DeviceId, Optional<UsmpSession>> sessions;
    private final LongAdder repliesUndeliverable;

    Delivery(Kind kind, UsmpSession session, byte[] payload, Instant receivedAt, String closeReason, int attempt,
             Function<DeviceId, Optional<UsmpSession>> sessions, LongAdder repliesUndeliverable) {
        this.sessions = sessions;
        this.repliesUndeliverable = repliesUndeliverable;
        this.kind = kind;
        this.session = session;
        this.payload = payload;
        this.receivedAt = receivedAt;
        this.closeReason = closeReason;
        this.attempt = attempt;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public String deviceId() {
        return session.deviceId().toHex();
    }

    @Override
    public byte[] deviceIdBytes() {
        return session.deviceId().toBytes();
    }

    @Override
    public String sessionId() {
        return session.sessionIdHex();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public Instant receivedAt() {
        return receivedAt;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return session.remoteAddress();
    }

    @Override
    public int deliveryAttempt() {
        return attempt;
    }

    @Override
    public String closeReason() {
        return closeReason;
    }

    @Override
    public synchronized void reply(byte[] reply) throws DeviceNotConnectedException {
        try {
            Limits.checkMessageSize(reply);
        } catch (PayloadException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (currentSession().isEmpty()) {
            throw new DeviceNotConnectedException(deviceId());
        }
        replies.add(reply.clone());
    }

    /** The device's session now, looked up by device id (the message's own if it is still the one). */
    private Optional<UsmpSession> currentSession() {
        Optional<UsmpSession> current = sessions.apply(session.deviceId()).filter(UsmpSession::isOpen);
        return current.isPresent() || !session.isOpen() ? current : Optional.of(session);
    }

    /**
     * Sends the held replies in order (after commit, or after a successful untransacted call) to
     * the device's current session. Without one, or when that session ends or fails a write before
     * all are handed over, the rest are counted as undeliverable and logged with the device id.
     */
    synchronized void sendReplies() {
        if (replies.isEmpty()) {
            return;
        }
        Optional<UsmpSession> current = currentSession();
        if (current.isEmpty()) {
            undeliverable(replies.size(), "the device has no session");
            replies.clear();
            return;
        }
        UsmpSession s = current.get();
        for (int i = 0; i < replies.size(); i++) {
            if (!s.isOpen()) {
                undeliverable(replies.size() - i, "its session ended");
                break;
            }
            try {
                s.send(replies.get(i)).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        undeliverable(1, "the write failed: " + failure);
                    }
                });
            } catch (PayloadException e) {
                throw new IllegalStateException(e); // sizes were checked in reply()
            } catch (RuntimeException e) {
                undeliverable(replies.size() - i, "the send failed: " + e);
                break;
            }
        }
        replies.clear();
    }

    private void undeliverable(int count, String why) {
        repliesUndeliverable.add(count);
        LOG.log(Level.WARNING, "{0} committed repl{1} to device {2} not sent: {3}", count, count == 1 ? "y" : "ies",
                session.deviceId(), why);
    }

    @Override
    public String toString() {
        return "DeviceMessage[" + kind + " device=" + deviceId() + " attempt=" + attempt + " bytes=" + payload.length + "]";
    }

}
