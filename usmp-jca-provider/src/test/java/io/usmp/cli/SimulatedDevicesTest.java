package io.usmp.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SimulatedDevicesTest {
    @Test
    void idsAreThePrefixAndTheIndex() {
        assertEquals("5a0000000000", SimulatedDevices.id(0).toHex());
        assertEquals("5a0000000013", SimulatedDevices.id(19).toHex());
        assertEquals("5affffffffff", SimulatedDevices.id((1L << 40) - 1).toHex());
        assertThrows(IllegalArgumentException.class, () -> SimulatedDevices.id(1L << 40));
        assertThrows(IllegalArgumentException.class, () -> SimulatedDevices.id(-1));
    }

    @Test
    void recordIsLittleEndianAsDocumented() {
        // 01 | -5.25 °C = -525 = fdf3 | 65.00 % = 6500 = 1964 | 3300 mV = 0ce4 | 0x89abcdef
        assertEquals("01f3fd6419e40cefcdab89", HexFormat.of().formatHex(SimulatedDevices.record(-5.25, 65.0, 3300, 0x89abcdefL)));
    }

    @Test
    void readingsAreDeterministicAndDifferPerDevice() {
        assertArrayEquals(SimulatedDevices.reading(3, 17), SimulatedDevices.reading(3, 17));
        assertNotEquals(HexFormat.of().formatHex(SimulatedDevices.reading(3, 17)), HexFormat.of().formatHex(SimulatedDevices.reading(4, 17)));
        byte[] r = SimulatedDevices.reading(0, 0x1_0000_0005L);
        assertEquals(11, r.length);
        assertEquals(5, r[7]); // the counter wraps at 32 bits
    }

    @Test
    void answerRepeatsTheCommand() {
        assertArrayEquals(HexFormat.of().parseHex("02" + "6f6b20" + "6c65643d6f6e"), SimulatedDevices.answer("led=on"));
    }

    @Test
    void backoffGrowsWithJitterUpToTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        assertEquals(Duration.ofMillis(50), b.delay(1, 0.0));
        assertEquals(Duration.ofMillis(99), b.delay(1, 0.999));
        assertEquals(Duration.ofMillis(200), b.delay(3, 0.0));
        assertEquals(Duration.ofMillis(1000), b.delay(6, 0.0)); // 3.2 s capped at 2 s
        assertEquals(Duration.ofMillis(1000), b.delay(1000, 0.0)); // no overflow
        for (int failures = 1; failures < 40; failures++) {
            long d = b.delay(failures, 0.5).toMillis();
            assertTrue(d >= 50 && d <= 2000, failures + " -> " + d);
        }
    }
}
