package io.usmp.it.adapter;

import jakarta.ejb.Lock;
import jakarta.ejb.LockType;
import jakarta.ejb.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the MDB saw, per device: one entry "attempt:base64(payload):committed?" per delivery
 * attempt. Deliberately not transactional, so rolled-back attempts stay visible to the test.
 */
@Singleton
@Lock(LockType.WRITE)
public class Recorder {
    private final Map<String, List<String>> byDevice = new TreeMap<>();
    private final Map<String, List<String>> events = new TreeMap<>();

    public void record(String device, int attempt, String payloadBase64) {
        byDevice.computeIfAbsent(device, d -> new ArrayList<>()).add(attempt + ":" + payloadBase64);
    }

    /** One line per device: {@code device entry entry ...}. */
    public String dump() {
        StringBuilder b = new StringBuilder();
        byDevice.forEach((d, entries) -> b.append(d).append(' ').append(String.join(" ", entries)).append('\n'));
        return b.toString();
    }

    public void recordEvent(String device, String event) {
        events.computeIfAbsent(device, d -> new ArrayList<>()).add(event);
    }

    /** Session events of one device, space-separated. */
    public String events(String device) {
        return String.join(" ", events.getOrDefault(device, List.of()));
    }

    public void clear() {
        byDevice.clear();
        events.clear();
    }
}
