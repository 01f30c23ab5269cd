package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.UsmpClient;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The activation's perDeviceQueueBound reaches the gateway: while the MDB holds a device's first
 * message (the {@link Gate} is closed), the gateway stops reading that device's socket once the
 * bound is queued, so the device's sends stall (its TCP buffers fill) and the activation's BytesIn
 * stands still; once the MDB goes on, every message is delivered, once and in order. The session
 * watchdog is off here: a socket nobody reads looks idle to it.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class AdapterBackpressureIT {
    private static final int PORT = 17406;
    private static final int BOUND = 4;
    /** Upper bound on messages the device tries; the buffers fill long before (a few MB). */
    private static final int MAX_MESSAGES = 20_000;
    private static final long STALL_MILLIS = 2_000;
    private static final String PADDING = "|" + "x".repeat(1_500);

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT), "perDeviceQueueBound", String.valueOf(BOUND),
                "sessionTimeoutMillis", "0"));
    }

    private String call(String query) throws Exception {
        return new Control(base).call(query);
    }

    private long attribute(String name) throws Exception {
        String mbean = "io.usmp:type=Activation,address=\"127.0.0.1:" + PORT + "\"";
        return Long.parseLong(call("op=mbean&name=" + URLEncoder.encode(mbean, StandardCharsets.UTF_8) + "&attribute=" + name));
    }

    @AfterEach
    void openGate() throws Exception {
        call("op=gate&close=false");
    }

    @Test
    void aBusyDevicesSocketStopsBeingReadAndEverythingArrivesInOrderAfterwards() throws Exception {
        String id = ItDevices.id(45);
        call("op=gate&close=true");
        AtomicInteger sent = new AtomicInteger();
        AtomicReference<Throwable> senderFailure = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        try (UsmpClient device = ItDevices.connect(PORT, id, ItDevices.psk(id))) {
            Thread sender = new Thread(() -> {
                try {
                    for (int i = 0; i < MAX_MESSAGES && !stop.get(); i++) {
                        device.send(("gate:" + i + PADDING).getBytes(StandardCharsets.UTF_8));
                        sent.incrementAndGet();
                    }
                } catch (Throwable t) {
                    senderFailure.set(t);
                }
            }, "device-sender");
            sender.setDaemon(true);
            sender.start();

            // Wait (bounded) until the device's sends stop completing for STALL_MILLIS.
            long deadline = System.nanoTime() + 90_000_000_000L;
            int last = -1;
            long since = System.nanoTime();
            while (System.nanoTime() < deadline) {
                int now = sent.get();
                if (now != last) {
                    last = now;
                    since = System.nanoTime();
                } else if (System.nanoTime() - since > STALL_MILLIS * 1_000_000L) {
                    break;
                }
                Thread.sleep(100);
            }
            int stalledAt = sent.get();
            assertNull(senderFailure.get(), "the device's sends fail no, they wait");
            assertTrue(sender.isAlive() && stalledAt < MAX_MESSAGES, "the device's sends stall (after " + stalledAt + ")");
            long bytesIn = attribute("BytesIn");
            long depth = attribute("QueueDepth");
            Thread.sleep(1_000);
            assertEquals(bytesIn, attribute("BytesIn"), "the gateway does not read the device's socket");
            assertTrue(depth <= BOUND + 4, "queued messages stay near the bound: " + depth);
            assertEquals(stalledAt, sent.get(), "still stalled");

            stop.set(true);
            call("op=gate&close=false");
            sender.join(60_000);
            assertTrue(!sender.isAlive(), "the stalled send completes once the MDB goes on");
            assertNull(senderFailure.get());
            int total = sent.get();
            assertTrue(total > stalledAt || total == stalledAt, "total " + total);

            List<String> expected = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                expected.add("1:gate:" + i);
            }
            long until = System.nanoTime() + 180_000_000_000L;
            List<String> got = heads(id);
            while (got.size() < total && System.nanoTime() < until) {
                Thread.sleep(500);
                got = heads(id);
            }
            assertEquals(expected, got, "every message once, in order, first attempt");
        }
    }

    private List<String> heads(String device) throws Exception {
        String body = call("op=heads&device=" + device);
        return body.isBlank() ? List.of() : Arrays.asList(body.strip().split("\n"));
    }
}
