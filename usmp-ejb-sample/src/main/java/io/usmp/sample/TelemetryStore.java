package io.usmp.sample;

import jakarta.ejb.Lock;
import jakarta.ejb.LockType;
import jakarta.ejb.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Latest reading per device and a count of all readings (a real application would persist them). */
@Singleton
@Lock(LockType.READ)
public class TelemetryStore {
    private final Map<String, Telemetry> latest = new ConcurrentHashMap<>();
    private final AtomicLong readings = new AtomicLong();

    public void record(Telemetry t) {
        latest.put(t.deviceId(), t);
        readings.incrementAndGet();
    }

    public Optional<Telemetry> latest(String deviceId) {
        return Optional.ofNullable(latest.get(deviceId));
    }

    public List<Telemetry> all() {
        return List.copyOf(latest.values());
    }

    public long readings() {
        return readings.get();
    }
}
