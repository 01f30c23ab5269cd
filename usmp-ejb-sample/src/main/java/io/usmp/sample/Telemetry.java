package io.usmp.sample;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One telemetry reading. Devices in this sample send UTF-8 text {@code key=value;key=value}
 * (e.g. {@code temp=21.5;hum=40}); numbers stay text so nothing is lost in parsing.
 */
public record Telemetry(String deviceId, Instant receivedAt, Map<String, String> values) {
    public Telemetry {
        values = Map.copyOf(values);
    }

    /**
     * Parses a payload.
     *
     * @throws IllegalArgumentException when a field is not {@code key=value}
     */
    public static Telemetry parse(String deviceId, Instant receivedAt, byte[] payload) {
        Map<String, String> values = new LinkedHashMap<>();
        String text = new String(payload, StandardCharsets.UTF_8).trim();
        if (!text.isEmpty()) {
            for (String field : text.split(";")) {
                int eq = field.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("telemetry field is not key=value: " + field);
                }
                values.put(field.substring(0, eq).trim(), field.substring(eq + 1).trim());
            }
        }
        return new Telemetry(deviceId, receivedAt, values);
    }
}
