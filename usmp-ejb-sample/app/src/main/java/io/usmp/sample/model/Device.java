package io.usmp.sample.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The registry's row for one device, kept up to date from session events and messages. */
@Entity
@Table(name = "usmp_device")
public class Device {
    @Id
    @Column(length = 12)
    private String deviceId;

    private boolean online;

    /** The open session; a close of an older session (a reconnect raced it) leaves the device online. */
    @Column(length = 32)
    private String currentSession;

    private String remoteAddress;
    private Instant firstSeen;
    private Instant lastSeen;
    private long sessions;
    private long messagesReceived;

    @Column(length = 32)
    private String lastCloseReason;

    protected Device() {
    }

    public Device(String deviceId, Instant firstSeen) {
        this.deviceId = deviceId;
        this.firstSeen = firstSeen;
        this.lastSeen = firstSeen;
    }

    public void opened(String session, String remote, Instant at) {
        online = true;
        currentSession = session;
        remoteAddress = remote;
        sessions++;
        seen(at);
    }

    public void closed(String session, String reason, Instant at) {
        if (session.equals(currentSession)) {
            online = false;
            currentSession = null;
        }
        lastCloseReason = reason;
        seen(at);
    }

    public void messageReceived(Instant at) {
        messagesReceived++;
        seen(at);
    }

    private void seen(Instant at) {
        if (lastSeen == null || at.isAfter(lastSeen)) {
            lastSeen = at;
        }
    }

    public String getDeviceId() {
        return deviceId;
    }

    public boolean isOnline() {
        return online;
    }

    public String getRemoteAddress() {
        return remoteAddress;
    }

    public Instant getFirstSeen() {
        return firstSeen;
    }

    public Instant getLastSeen() {
        return lastSeen;
    }

    public long getSessions() {
        return sessions;
    }

    public long getMessagesReceived() {
        return messagesReceived;
    }

    public String getLastCloseReason() {
        return lastCloseReason;
    }
}
