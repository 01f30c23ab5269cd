package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.usmp.UsmpClient;
import io.usmp.protocol.UsmpException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The activation's lockoutThreshold reaches the gateway (SPEC §6): from the 3rd consecutive failed
 * handshake the source IP is locked out for 2^0 = 1 s, even for a device with the right key; after
 * that the right device gets in. Own class and port: the lockout is per IP and every test uses 127.0.0.1.
 */
@ExtendWith(ArquillianExtension.class)
@ServerSetup({MdbSupportServerSetupTask.class, PasswordPropertySetupTask.class})
@RunAsClient
class AdapterLockoutIT {
    private static final int PORT = 17404;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT), "lockoutThreshold", "3"));
    }

    @Test
    void consecutiveHandshakeFailuresLockTheAddressOutForAWhile() throws Exception {
        String id = ItDevices.id(67);
        byte[] wrong = ItDevices.psk("not-" + id);
        for (int i = 0; i < 3; i++) {
            assertThrows(UsmpException.class, () -> ItDevices.connect(PORT, id, wrong).close(), "wrong key, try " + i);
        }
        assertThrows(IOException.class, () -> ItDevices.connect(PORT, id, ItDevices.psk(id)).close(),
                "right key, but the address is locked out");
        Thread.sleep(1_500);
        try (UsmpClient c = ItDevices.connect(PORT, id, ItDevices.psk(id))) {
            c.send("reply:unlocked".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("unlocked".getBytes(StandardCharsets.UTF_8), c.receive(Duration.ofSeconds(30)));
        }
    }
}
