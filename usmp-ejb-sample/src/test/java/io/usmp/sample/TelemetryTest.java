package io.usmp.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TelemetryTest {
    @Test
    void parsesKeyValuePairsInOrder() {
        Telemetry t = Telemetry.parse("a1b2c3d4e5f6", Instant.EPOCH, "temp=21.5; hum = 40".getBytes(StandardCharsets.UTF_8));
        assertEquals(Map.of("temp", "21.5", "hum", "40"), t.values());
        assertEquals("a1b2c3d4e5f6", t.deviceId());
    }

    @Test
    void emptyPayloadHasNoValues() {
        assertTrue(Telemetry.parse("a1b2c3d4e5f6", Instant.EPOCH, new byte[0]).values().isEmpty());
    }

    @Test
    void malformedFieldIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Telemetry.parse("a1b2c3d4e5f6", Instant.EPOCH, "temp21".getBytes(StandardCharsets.UTF_8)));
    }
}
