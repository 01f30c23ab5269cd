package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.usmp.UsmpClient;
import io.usmp.protocol.UsmpException;
import java.io.IOException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The activation's lockoutThreshold reaches the gateway (SPEC §6): the 3rd consecutive failed
 * handshake locks the source IP out, as the activation's statistics count, and a device with the
 * right key that keeps retrying gets back in once the lockout ends. The lockout windows themselves
 * are tested against a fake clock in the core ({@code AdmissionTest}), so nothing here depends on
 * landing inside a time window. Own class and port: the lockout is per IP and every test uses
 * 127.0.0.1.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class AdapterLockoutIT {
    private static final int PORT = 17404;
    private static final int MAX_RETRIES = 50;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT), "lockoutThreshold", "3"));
    }

    private long lockouts() throws Exception {
        String mbean = "io.usmp:type=Activation,address=\"127.0.0.1:" + PORT + "\"";
        return Long.parseLong(new Control(base).call("op=mbean&name=" + URLEncoder.encode(mbean, StandardCharsets.UTF_8)
                + "&attribute=Lockouts"));
    }

    @Test
    void consecutiveHandshakeFailuresLockTheAddressOutUntilARetryingDeviceGetsBackIn() throws Exception {
        String id = ItDevices.id(67);
        byte[] wrong = ItDevices.psk("not-" + id);
        for (int i = 0; i < 2; i++) {
            assertThrows(UsmpException.class, () -> ItDevices.connect(PORT, id, wrong).close(), "wrong key, try " + i);
        }
        assertEquals(0, lockouts(), "two failures are below the threshold of 3");
        assertThrows(UsmpException.class, () -> ItDevices.connect(PORT, id, wrong).close(), "wrong key, third try");
        assertEquals(1, lockouts(), "the third consecutive failure locks the address out");

        UsmpClient device = null;
        for (int i = 0; i < MAX_RETRIES && device == null; i++) {
            try {
                device = ItDevices.connect(PORT, id, ItDevices.psk(id));
            } catch (IOException refusedWhileLockedOut) {
                Thread.sleep(100);
            }
        }
        assertNotNull(device, "the right device gets in after the lockout");
        try (UsmpClient c = device) {
            c.send("reply:unlocked".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("unlocked".getBytes(StandardCharsets.UTF_8), c.receive(Duration.ofSeconds(30)));
        }
        assertEquals(1, lockouts(), "refusals during the lockout are not failures, and the success resets the count");
    }
}
