package io.usmp.sample.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A command sent to a device, and the device's answer once it came. */
@Entity
@Table(name = "usmp_command")
public class Command {
    public static final int MAX_TEXT = 200;

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE)
    private Long id;

    @Column(length = 12, nullable = false)
    private String deviceId;

    @Column(length = MAX_TEXT, nullable = false)
    private String text;

    /** The client's id for this request: the unique constraint makes a repeated POST fail instead of sending twice. */
    @Column(length = 64, unique = true)
    private String requestId;

    @Column(nullable = false)
    private Instant sentAt;

    @Column(length = 1807)
    private String answer;

    private Instant answeredAt;

    protected Command() {
    }

    public Command(String deviceId, String text, String requestId, Instant sentAt) {
        this.deviceId = deviceId;
        this.text = text;
        this.requestId = requestId;
        this.sentAt = sentAt;
    }

    public void answered(String answer, Instant at) {
        this.answer = answer;
        this.answeredAt = at;
    }

    public Long getId() {
        return id;
    }

    public String getDeviceId() {
        return deviceId;
    }

    public String getText() {
        return text;
    }

    public String getRequestId() {
        return requestId;
    }

    public Instant getSentAt() {
        return sentAt;
    }

    public String getAnswer() {
        return answer;
    }

    public Instant getAnsweredAt() {
        return answeredAt;
    }
}
