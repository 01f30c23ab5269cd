package io.usmp.sample.payload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PayloadTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void binaryRecordAsDocumented() {
        // 01 | -5.25 °C = -525 = 0xfdf3 | 65.00 % = 6500 = 0x1964 | 3300 mV = 0x0ce4 | counter 0x89abcdef
        Telemetry t = (Telemetry) Uplink.decode(HexFormat.of().parseHex("01" + "f3fd" + "6419" + "e40c" + "efcdab89"));
        assertEquals(new Telemetry(Telemetry.Format.BINARY, -5.25, 65.0, 3300, 0x89abcdefL, null), t);
    }

    @Test
    void textKeepsUnknownKeysAndFillsKnownOnes() {
        Telemetry t = (Telemetry) Uplink.decode(utf8("temp=21.5; hum = 40;fw=1.2"));
        assertEquals(21.5, t.temperatureC());
        assertEquals(40.0, t.humidityPct());
        assertNull(t.batteryMv());
        assertEquals("temp=21.5; hum = 40;fw=1.2", t.text());
        assertEquals(Telemetry.Format.TEXT, t.format());
    }

    @Test
    void commandAnswer() {
        byte[] p = utf8("_ok led=on");
        p[0] = Uplink.COMMAND_ANSWER;
        assertEquals(new CommandAnswer("ok led=on"), assertInstanceOf(CommandAnswer.class, Uplink.decode(p)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "no-equals-sign", "temp=warm", "=3", "01f3fd", "01f3fd6419e40cefcdab8900", "c328"})
    void malformedPayloadsAreRefused(String hexOrText) {
        byte[] p = hexOrText.startsWith("01") || hexOrText.equals("c328") ? HexFormat.of().parseHex(hexOrText) : utf8(hexOrText);
        assertThrows(MalformedPayloadException.class, () -> Uplink.decode(p));
    }

    @Test
    void downlinkLayouts() {
        assertArrayEquals(HexFormat.of().parseHex("81" + "2a00000000000000"), Downlink.ack(42));
        assertArrayEquals(HexFormat.of().parseHex("03" + "6c65643d6f6e"), Downlink.command("led=on"));
    }
}
