package io.usmp.sample.payload;

/**
 * One decoded reading. Fields a text reading did not carry are null; {@code text} is the original
 * text of a text reading (null for binary).
 */
public record Telemetry(Format format, Double temperatureC, Double humidityPct, Integer batteryMv, Long counter, String text)
        implements Uplink {
    public enum Format { BINARY, TEXT }
}
