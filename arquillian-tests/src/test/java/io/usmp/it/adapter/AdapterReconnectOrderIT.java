package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.usmp.UsmpClient;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Order across reconnects: message A fails its first attempt and waits out the redelivery
 * backoff; meanwhile the device reconnects and sends B. The MDB sees A's second attempt before B
 * (delivery lines are keyed by device id, not session), and A's reply, committed after the
 * reconnect, reaches the device on its new session. Repeated for 20 reconnect cycles.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class AdapterReconnectOrderIT {
    private static final int PORT = 17408;
    private static final int CYCLES = 20;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT), "redeliveryBackoffMillis", "1000",
                "maxDeliveryAttempts", "5"));
    }

    private List<String> recorded(String device) throws Exception {
        return new Control(base).recorded().getOrDefault(device, List.of()).stream().map(e -> e[0] + ":" + e[1]).toList();
    }

    private static UsmpClient connect(String id) throws Exception {
        return ItDevices.connect(PORT, id, ItDevices.psk(id));
    }

    @Test
    void aMessageInRedeliveryBackoffStaysAheadOfWhatTheDeviceSendsAfterReconnecting() throws Exception {
        String id = ItDevices.id(46);
        List<String> expected = new ArrayList<>();
        UsmpClient device = connect(id);
        try {
            for (int i = 0; i < CYCLES; i++) {
                device.send(("flaky:A" + i).getBytes(StandardCharsets.UTF_8));
                device.close();
                device = connect(id);
                device.send(("B" + i).getBytes(StandardCharsets.UTF_8));
                assertArrayEquals(("A" + i).getBytes(StandardCharsets.UTF_8), device.receive(Duration.ofSeconds(30)),
                        "cycle " + i + ": A's reply, committed after the reconnect, arrives on the new session");
                expected.addAll(List.of("1:flaky:A" + i, "2:flaky:A" + i, "1:B" + i));
            }
        } finally {
            device.close();
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        List<String> got = recorded(id);
        while (got.size() < expected.size() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            got = recorded(id);
        }
        assertEquals(expected, got, "A (attempt 2) before B in every cycle");
    }
}
