package io.usmp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ConfigTest {
    private static final DeviceId DEVICE = DeviceId.fromHex("a1b2c3d4e5f6");
    private static final byte[] PSK = new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @Test
    void clientBuilderBuildsOnceBecauseItWipesItsKeyCopy() {
        ClientConfig.Builder b = ClientConfig.builder("127.0.0.1", 7400, DEVICE, PSK);
        assertArrayEquals(PSK, b.build().psk());
        assertThrows(IllegalStateException.class, b::build);
    }

    @Test
    void clientConfigNeverPrintsItsKey() {
        ClientConfig c = ClientConfig.builder("127.0.0.1", 7400, DEVICE, PSK).build();
        assertFalse(c.toString().contains(HexFormat.of().formatHex(PSK)));
    }

    @Test
    void badSettingsAreRefusedWithTheirName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClientConfig.builder("127.0.0.1", 0, DEVICE, PSK));
        assertFalse(e.getMessage().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ClientConfig.builder("h", 1, DEVICE, new byte[15]));
        assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.builder(PskResolver.shared(PSK)).handshakeTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.builder(PskResolver.shared(PSK)).maxConnections(0, 1));
    }
}
