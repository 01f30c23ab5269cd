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

    /** One line per delivery of a device: {@code attempt:head}, head = the payload up to its first '|'. */
    public String heads(String device) {
        StringBuilder b = new StringBuilder();
        for (String e : byDevice.getOrDefault(device, List.of())) {
            String[] parts = e.split(":", 2);
            String payload = new String(java.util.Base64.getDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8);
            int bar = payload.indexOf('|');
            b.append(parts[0]).append(':').append(bar < 0 ? payload : payload.substring(0, bar)).append('\n');
        }
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
