package io.usmp.it.ra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.usmp.UsmpClient;
import io.usmp.UsmpException;
import io.usmp.it.adapter.MdbSupportServerSetupTask;
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
 * that the right device gets in. Own class: the lockout is per IP and every test uses 127.0.0.1.
 */
@ExtendWith(ArquillianExtension.class)
@ServerSetup(MdbSupportServerSetupTask.class)
@RunAsClient
class RaLockoutIT {
    private static final int PORT = 17404;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return RaGapIT.ear(PORT, Map.of("lockoutThreshold", "3"));
    }

    @Test
    void consecutiveHandshakeFailuresLockTheAddressOutForAWhile() throws Exception {
        String id = RaGapIT.id(7);
        byte[] wrong = RaGapIT.psk("not-" + id);
        for (int i = 0; i < 3; i++) {
            assertThrows(UsmpException.class, () -> RaGapIT.connect(PORT, id, wrong).close(), "wrong key, try " + i);
        }
        assertThrows(IOException.class, () -> RaGapIT.connect(PORT, id, RaGapIT.psk(id)).close(),
                "right key, but the address is locked out");
        Thread.sleep(1_500);
        try (UsmpClient c = RaGapIT.connect(PORT, id, RaGapIT.psk(id))) {
            c.send("reply:unlocked".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("unlocked".getBytes(StandardCharsets.UTF_8), c.receive(Duration.ofSeconds(30)));
        }
    }
}
