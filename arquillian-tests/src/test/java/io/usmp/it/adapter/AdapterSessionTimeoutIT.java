package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.UsmpClient;
import io.usmp.protocol.UsmpException;
import java.net.URL;
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
 * The activation's sessionTimeoutMillis reaches the gateway's watchdog: a device that stays
 * silent is closed (SESSION_CLOSED with reason timeout, and the device sees its session end),
 * while a device that keeps talking stays connected. Own class and port: the timeout applies to
 * the whole activation.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class AdapterSessionTimeoutIT {
    private static final int PORT = 17405;
    private static final long TIMEOUT_MILLIS = 1_000;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT), "sessionTimeoutMillis", String.valueOf(TIMEOUT_MILLIS)));
    }

    private String events(String device) throws Exception {
        return new Control(base).call("op=events&device=" + device);
    }

    @Test
    void anIdleDeviceIsClosedWithReasonTimeoutWhileATalkingOneStays() throws Exception {
        String idle = ItDevices.id(68);
        String talking = ItDevices.id(69);
        try (UsmpClient quiet = ItDevices.connect(PORT, idle, ItDevices.psk(idle));
             UsmpClient chatty = ItDevices.connect(PORT, talking, ItDevices.psk(talking))) {
            long start = System.nanoTime();
            // The talking device sends every 300 ms for 4 timeouts' worth; the idle one says nothing.
            for (int i = 0; i < 14; i++) {
                chatty.send(("ping-" + i).getBytes(StandardCharsets.UTF_8));
                Thread.sleep(300);
            }
            assertTrue(chatty.isOpen(), "a device that talks more often than the timeout stays connected");
            chatty.send("reply:still-here".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("still-here".getBytes(StandardCharsets.UTF_8), chatty.receive(Duration.ofSeconds(30)));

            UsmpException ended = assertThrows(UsmpException.class, () -> quiet.receive(Duration.ofSeconds(30)),
                    "the idle device's session ends");
            assertFalse(quiet.isOpen(), ended.toString());
            assertTrue(System.nanoTime() - start >= TIMEOUT_MILLIS * 1_000_000L, "not before the timeout");

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String seen = events(idle);
            while (!seen.contains("SESSION_CLOSED") && System.nanoTime() < deadline) {
                Thread.sleep(100);
                seen = events(idle);
            }
            assertEquals("SESSION_OPENED SESSION_CLOSED:timeout", seen, "the MDB sees the watchdog's close");
            assertEquals("SESSION_OPENED", events(talking));
        }
    }
}
