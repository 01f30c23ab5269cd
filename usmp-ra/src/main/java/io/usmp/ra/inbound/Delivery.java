package io.usmp.ra.inbound;

import io.usmp.protocol.PayloadException;
import io.usmp.UsmpSession;
import io.usmp.protocol.Limits;
import io.usmp.ra.api.DeviceMessage;
import io.usmp.ra.api.DeviceNotConnectedException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One delivery attempt's view of a device event, as the MDB sees it. */
final class Delivery implements DeviceMessage {
    private final Kind kind;
    private final UsmpSession session;
    private final byte[] payload;
    private final Instant receivedAt;
    private final String closeReason;
    private final int attempt;
    private final List<byte[]> replies = new ArrayList<>();

    Delivery(Kind kind, UsmpSession session, byte[] payload, Instant receivedAt, String closeReason, int attempt) {
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
        if (!session.isOpen()) {
            throw new DeviceNotConnectedException(deviceId());
        }
        replies.add(reply.clone());
    }

    /** Sends the held replies, in order (after commit, or after a successful untransacted call). */
    synchronized void sendReplies() {
        for (byte[] r : replies) {
            try {
                session.send(r);
            } catch (PayloadException e) {
                throw new IllegalStateException(e); // sizes were checked in reply()
            }
        }
        replies.clear();
    }

    @Override
    public String toString() {
        return "DeviceMessage[" + kind + " device=" + deviceId() + " attempt=" + attempt + " bytes=" + payload.length + "]";
    }

}
