package io.usmp.sample.model;

import io.usmp.sample.payload.Telemetry;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/** One stored telemetry reading. */
@Entity
@Table(name = "usmp_reading", indexes = @Index(columnList = "deviceId, id"))
public class Reading {
    /** IDENTITY: the id exists right after persist, so the ack can carry it. */
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE)
    private Long id;

    @Column(length = 12, nullable = false)
    private String deviceId;

    @Column(nullable = false)
    private Instant receivedAt;

    @Enumerated(EnumType.STRING)
    @Column(length = 8, nullable = false)
    private Telemetry.Format format;

    private Double temperatureC;
    private Double humidityPct;
    private Integer batteryMv;

    @Column(name = "record_counter")
    private Long counter;

    @Column(name = "raw_text", length = 1808)
    private String text;

    protected Reading() {
    }

    public Reading(String deviceId, Instant receivedAt, Telemetry t) {
        this.deviceId = deviceId;
        this.receivedAt = receivedAt;
        this.format = t.format();
        this.temperatureC = t.temperatureC();
        this.humidityPct = t.humidityPct();
        this.batteryMv = t.batteryMv();
        this.counter = t.counter();
        this.text = t.text();
    }

    public Long getId() {
        return id;
    }

    public String getDeviceId() {
        return deviceId;
    }

    public Instant getReceivedAt() {
        return receivedAt;
    }

    public Telemetry.Format getFormat() {
        return format;
    }

    public Double getTemperatureC() {
        return temperatureC;
    }

    public Double getHumidityPct() {
        return humidityPct;
    }

    public Integer getBatteryMv() {
        return batteryMv;
    }

    public Long getCounter() {
        return counter;
    }

    public String getText() {
        return text;
    }
}
