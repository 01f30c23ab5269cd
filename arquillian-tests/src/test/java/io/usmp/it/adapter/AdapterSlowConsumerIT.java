package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ClientConfig;
import io.usmp.UsmpClient;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.UsmpException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A device that never reads while the MDB answers each of its 1 806-byte messages with 1 800 bytes:
 * the gateway's memory stays bounded (the replies it cannot write are refused and counted, the
 * device's socket stops being read, and after the slow-consumer timeout the device is closed),
 * while another device keeps its round trips going. Without the bound, the 20 000 replies would
 * hold ~36 MB.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class AdapterSlowConsumerIT {
    private static final int PORT = 17409;
    private static final int MESSAGES = 20_000;
    private static final long HEAP_GROWTH_BOUND = 16L << 20;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT), "slowConsumerTimeoutMillis", "3000",
                "deliverSessionEvents", "false"));
    }

    private String control(String query) throws Exception {
        return new Control(base).call(query);
    }

    private long mbean(String attribute) throws Exception {
        String name = "io.usmp:type=Activation,address=\"127.0.0.1:" + PORT + "\"";
        return Long.parseLong(control("op=mbean&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&attribute="
                + attribute));
    }

    @Test
    void aDeviceThatNeverReadsIsBoundedAndClosedWhileAnotherKeepsGoing() throws Exception {
        long heapBefore = Long.parseLong(control("op=heap"));
        String stuck = ItDevices.id(80);
        // Takes one message into its receive queue, then never reads: its socket fills up.
        UsmpClient neverReads = UsmpClient.connect(ClientConfig.builder("127.0.0.1", PORT, DeviceId.fromHex(stuck),
                ItDevices.psk(stuck)).receiveQueueCapacity(1).build());
        AtomicInteger sent = new AtomicInteger();
        CompletableFuture<Throwable> flood = CompletableFuture.supplyAsync(() -> {
            try {
                // Large requests, so the kernel's socket buffers cannot absorb the whole run.
                byte[] ask = ("reply:" + "x".repeat(1800)).getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < MESSAGES; i++) {
                    neverReads.send(ask);
                    sent.incrementAndGet();
                }
                return null;
            } catch (UsmpException e) {
                return e;
            }
        });

        int roundTrips = 0;
        try (UsmpClient good = ItDevices.connect(PORT, ItDevices.id(81), ItDevices.psk(ItDevices.id(81)))) {
            while (!flood.isDone() && roundTrips < 100_000) {
                good.send(("reply:" + roundTrips).getBytes(StandardCharsets.UTF_8));
                assertArrayEquals(String.valueOf(roundTrips).getBytes(StandardCharsets.UTF_8), good.receive(Duration.ofSeconds(30)));
                roundTrips++;
            }
        }
        Throwable end = flood.get(60, TimeUnit.SECONDS);
        assertInstanceOf(UsmpException.class, end, "the device that never reads was closed before it sent all "
                + MESSAGES + " (it sent " + sent.get() + ")");
        assertTrue(sent.get() < MESSAGES);
        assertTrue(roundTrips > 50, "the other device kept its round trips going meanwhile: " + roundTrips);
        assertTrue(mbean("RepliesUndeliverable") > 0, "replies that could not be written are counted, not queued");
        String closed = control("op=mbean&name=" + URLEncoder.encode("io.usmp:type=Activation,address=\"127.0.0.1:" + PORT
                + "\"", StandardCharsets.UTF_8) + "&attribute=SessionsClosed");
        assertTrue(closed.contains("key=slow_consumer, value=1"), "closed as a slow consumer: " + closed); // an MXBean map is tabular data
        long growth = Long.parseLong(control("op=heap")) - heapBefore;
        assertTrue(growth < HEAP_GROWTH_BOUND, "server heap grew by " + growth + " bytes");
        neverReads.close();
    }
}
