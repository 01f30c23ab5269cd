package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.UsmpClient;
import io.usmp.protocol.UsmpException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real adapter in a real WildFly, devices simulated by the protocol library's client over
 * loopback sockets. Each test uses its own device ids, so they don't depend on each other.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class UsmpAdapterIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear();
    }

    @BeforeEach
    void clear() throws Exception {
        control("op=clear");
    }

    private String control(String query) throws Exception {
        return new Control(base).call(query);
    }

    private Map<String, List<String[]>> recorded() throws Exception {
        return new Control(base).recorded();
    }

    private Map<String, List<String[]>> awaitRecorded(Predicate<Map<String, List<String[]>>> done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, List<String[]>> m = recorded();
        while (!done.test(m) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            m = recorded();
        }
        return m;
    }

    private static List<String> payloads(List<String[]> entries) {
        return entries == null ? List.of() : entries.stream().map(e -> e[1]).toList();
    }

    @Test
    void telemetryFromFiftyDevicesArrivesExactlyOnceAndInOrderPerDevice() throws Exception {
        int devices = 50;
        int perDevice = 10;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int d = 0; d < devices; d++) {
                String id = ItDevices.id(d);
                runs.add(pool.submit(() -> {
                    try (UsmpClient c = ItDevices.connect(id)) {
                        for (int i = 0; i < perDevice; i++) {
                            c.send(("t" + i).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> expected = Stream.iterate(0, i -> i + 1).limit(perDevice).map(i -> "t" + i).toList();
        Map<String, List<String[]>> got = awaitRecorded(m -> {
            for (int d = 0; d < devices; d++) {
                if (payloads(m.get(ItDevices.id(d))).size() < perDevice) {
                    return false;
                }
            }
            return true;
        });
        for (int d = 0; d < devices; d++) {
            assertEquals(expected, payloads(got.get(ItDevices.id(d))), "device " + ItDevices.id(d));
        }
    }

    @Test
    void fragmentedMessageOf1808BytesArrivesIntact() throws Exception {
        byte[] big = new byte[1808];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7);
        }
        String id = ItDevices.id(50);
        try (UsmpClient c = ItDevices.connect(id)) {
            c.send(big);
        }
        Map<String, List<String[]>> got = awaitRecorded(m -> m.containsKey(id));
        assertEquals(1, got.get(id).size());
        assertArrayEquals(big, got.get(id).get(0)[1].getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void wrongPskAndUnknownDeviceAreRefusedAndDeliverNothing() throws Exception {
        String known = ItDevices.id(51);
        byte[] wrong = ItDevices.psk("somebody-else");
        assertThrows(UsmpException.class, () -> ItDevices.connect(known, wrong).close());
        String unknown = "ffffffffffff";
        assertThrows(UsmpException.class, () -> ItDevices.connect(unknown, ItDevices.psk(unknown)).close());
        // A correct device afterwards still gets through, and only its message is recorded.
        String good = ItDevices.id(52);
        try (UsmpClient c = ItDevices.connect(good)) {
            c.send("after".getBytes(StandardCharsets.UTF_8));
        }
        Map<String, List<String[]>> got = awaitRecorded(m -> m.containsKey(good));
        assertEquals(List.of("after"), payloads(got.get(good)));
        assertNull(got.get(known));
        assertNull(got.get(unknown));
    }

    @Test
    void protocolViolationClosesOnlyThatConnection() throws Exception {
        String bystander = ItDevices.id(53);
        try (UsmpClient c = ItDevices.connect(bystander);
             Socket raw = new Socket("127.0.0.1", ItDevices.PORT)) {
            raw.setSoTimeout(10_000);
            OutputStream out = raw.getOutputStream();
            // A header with version 0x03: refused from the header alone, no reply, connection closed.
            out.write(HexFormat.of().parseHex("cdab0301000000002600ffff"));
            out.flush();
            InputStream in = raw.getInputStream();
            assertEquals(-1, in.read(), "the gateway closes without writing anything back");
            c.send("still-flowing".getBytes(StandardCharsets.UTF_8));
            Map<String, List<String[]>> got = awaitRecorded(m -> m.containsKey(bystander));
            assertEquals(List.of("still-flowing"), payloads(got.get(bystander)));
        }
    }

    @Test
    void failingMessageIsRedeliveredThenDeadLettered() throws Exception {
        String id = ItDevices.id(54);
        try (UsmpClient c = ItDevices.connect(id)) {
            c.send("fail-always".getBytes(StandardCharsets.UTF_8));
            c.send("next".getBytes(StandardCharsets.UTF_8));
        }
        Map<String, List<String[]>> got = awaitRecorded(m -> payloads(m.get(id)).contains("next"));
        List<String[]> entries = got.get(id);
        // Three attempts of the failing message, in order, and only then the next message.
        assertEquals(List.of("1", "2", "3", "1"), entries.stream().map(e -> e[0]).toList());
        assertEquals(List.of("fail-always", "fail-always", "fail-always", "next"), payloads(entries));
        Path letter = awaitDeadLetter(id);
        String json = Files.readString(letter);
        assertTrue(json.contains("\"attempts\":3"), json);
        assertTrue(json.contains(Base64.getEncoder().encodeToString("fail-always".getBytes(StandardCharsets.UTF_8))), json);
    }

    private static Path awaitDeadLetter(String device) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(ItDevices.DEAD_LETTERS)) {
                try (Stream<Path> files = Files.list(ItDevices.DEAD_LETTERS)) {
                    List<Path> mine = files.filter(p -> p.getFileName().toString().contains(device)
                            && p.getFileName().toString().endsWith(".json")).toList();
                    if (!mine.isEmpty()) {
                        return mine.get(0);
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no dead letter for " + device + " in " + ItDevices.DEAD_LETTERS);
    }

    @Test
    void rollbackOnlyWithoutExceptionIsRedelivered() throws Exception {
        String id = ItDevices.id(55);
        try (UsmpClient c = ItDevices.connect(id)) {
            c.send("rollback-once".getBytes(StandardCharsets.UTF_8));
        }
        Map<String, List<String[]>> got = awaitRecorded(m -> m.get(id) != null && m.get(id).size() >= 2);
        assertEquals(List.of("1", "2"), got.get(id).stream().map(e -> e[0]).toList());
    }

    @Test
    void replyFromTheMdbReachesTheDevice() throws Exception {
        try (UsmpClient c = ItDevices.connect(ItDevices.id(56))) {
            c.send("reply:pong-56".getBytes(StandardCharsets.UTF_8));
            byte[] reply = c.receive(WAIT);
            assertArrayEquals("pong-56".getBytes(StandardCharsets.UTF_8), reply);
        }
    }

    @Test
    void downlinkIsSentOnCommitAndNeverOnRollback() throws Exception {
        String id = ItDevices.id(57);
        try (UsmpClient c = ItDevices.connect(id)) {
            String rolledBack = HexFormat.of().formatHex("rolled-back".getBytes(StandardCharsets.UTF_8));
            String committed = HexFormat.of().formatHex("committed".getBytes(StandardCharsets.UTF_8));
            assertEquals("ok", control("op=send&device=" + id + "&hex=" + rolledBack + "&rollback=true"));
            assertEquals("ok", control("op=send&device=" + id + "&hex=" + committed + "&rollback=false"));
            // The committed one is the first (and only) thing the device receives.
            assertArrayEquals("committed".getBytes(StandardCharsets.UTF_8), c.receive(WAIT));
            assertNull(c.receive(Duration.ofSeconds(1)));
        }
        assertEquals("error DeviceNotConnectedException",
                control("op=send&device=" + ItDevices.id(58) + "&hex=00&rollback=false"));
    }

    @Test
    void sessionEventsAndStatisticsAreVisible() throws Exception {
        String id = ItDevices.id(58);
        String mbean = "io.usmp:type=Activation,address=\"127.0.0.1:" + ItDevices.PORT + "\"";
        String query = "op=mbean&name=" + java.net.URLEncoder.encode(mbean, StandardCharsets.UTF_8) + "&attribute=";
        long deliveredBefore = Long.parseLong(control(query + "MessagesDelivered"));
        long handshakesBefore = Long.parseLong(control(query + "HandshakesSucceeded"));
        try (UsmpClient c = ItDevices.connect(id)) {
            c.send("counted".getBytes(StandardCharsets.UTF_8));
            awaitRecorded(m -> m.containsKey(id));
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        String events = control("op=events&device=" + id);
        while (!events.contains("SESSION_CLOSED") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            events = control("op=events&device=" + id);
        }
        assertEquals("SESSION_OPENED SESSION_CLOSED:peer_bye", events);
        assertTrue(Long.parseLong(control(query + "MessagesDelivered")) >= deliveredBefore + 3,
                "message and both session events counted as deliveries");
        assertTrue(Long.parseLong(control(query + "HandshakesSucceeded")) >= handshakesBefore + 1);
        assertTrue(Long.parseLong(control(query + "BytesIn")) > 0);
        assertEquals("0", control(query + "QueueDepth"));
    }
}
