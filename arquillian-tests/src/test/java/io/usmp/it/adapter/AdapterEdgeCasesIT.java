package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.UsmpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Edge cases of delivery and downlink: replies and sends of rolled-back transactions never leave,
 * rollback on every attempt ends in a dead letter, the largest messages pass and larger ones are
 * refused, garbage is shut out without hurting other devices. Own port and devices 60–66.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class AdapterEdgeCasesIT {
    static final int PORT = 17403;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT)));
    }

    private static String id(int n) {
        return ItDevices.id(60 + n);
    }

    private static UsmpClient connect(String hex) throws Exception {
        return ItDevices.connect(PORT, hex, ItDevices.psk(hex));
    }

    private String call(String query) throws Exception {
        return new Control(base).call(query);
    }

    /** (attempt, payload) entries the MDB recorded for a device, as "attempt:payload". */
    private List<String> recorded(String device) throws Exception {
        List<String[]> entries = new Control(base).recorded().getOrDefault(device, List.of());
        return entries.stream().map(e -> e[0] + ":" + e[1]).toList();
    }

    private List<String> awaitRecorded(String device, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> got = recorded(device);
        while (got.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
            got = recorded(device);
        }
        return got;
    }

    private static String awaitDeadLetter(String payload) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> json = ItDevices.deadLetterWith(payload);
            if (json.isPresent()) {
                return json.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no dead letter with " + payload + " in " + ItDevices.DEAD_LETTERS);
    }

    @Test
    void replyFromADeliveryThatRollsBackNeverReachesTheDevice() throws Exception {
        String id = id(0);
        try (UsmpClient c = connect(id)) {
            c.send("reply-then-fail:ghost".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of("1:reply-then-fail:ghost", "2:reply-then-fail:ghost", "3:reply-then-fail:ghost"),
                    awaitRecorded(id, 3));
            awaitDeadLetter("reply-then-fail:ghost");
            assertNull(c.receive(Duration.ofSeconds(1)), "a reply of a rolled-back delivery was sent");
            // The session still works and a committed reply is the first thing the device gets.
            c.send("reply:real".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("real".getBytes(StandardCharsets.UTF_8), c.receive(WAIT));
        }
    }

    @Test
    void rollbackOnlyOnEveryAttemptEndsInADeadLetter() throws Exception {
        String id = id(1);
        try (UsmpClient c = connect(id)) {
            c.send("rollback-always".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of("1:rollback-always", "2:rollback-always", "3:rollback-always"), awaitRecorded(id, 3));
        }
        String json = awaitDeadLetter("rollback-always");
        assertTrue(json.contains("\"attempts\":3"), json);
        assertTrue(json.contains(id), json);
        Thread.sleep(500);
        assertEquals(3, recorded(id).size(), "no fourth attempt after maxDeliveryAttempts");
    }

    @Test
    void downlinkWhoseTransactionThrowsNeverReachesTheDevice() throws Exception {
        String id = id(2);
        try (UsmpClient c = connect(id)) {
            String lost = HexFormat.of().formatHex("lost".getBytes(StandardCharsets.UTF_8));
            String kept = HexFormat.of().formatHex("kept".getBytes(StandardCharsets.UTF_8));
            assertTrue(call("op=send&device=" + id + "&hex=" + lost + "&fail=true").startsWith("error"));
            assertEquals("ok", call("op=send&device=" + id + "&hex=" + kept + "&fail=false"));
            assertArrayEquals("kept".getBytes(StandardCharsets.UTF_8), c.receive(WAIT));
            assertNull(c.receive(Duration.ofSeconds(1)));
        }
    }

    @Test
    void badMagicFrameClosesOnlyThatConnection() throws Exception {
        String bystander = id(3);
        try (UsmpClient c = connect(bystander); Socket raw = new Socket("127.0.0.1", PORT)) {
            raw.setSoTimeout(10_000);
            OutputStream out = raw.getOutputStream();
            out.write(HexFormat.of().parseHex("efbe0201000000002600ffff"));
            out.flush();
            InputStream in = raw.getInputStream();
            int first;
            try {
                first = in.read();
            } catch (SocketException reset) {
                first = -1;
            }
            assertEquals(-1, first, "the gateway closes the bad-magic connection without a reply");
            c.send("still-here".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of("1:still-here"), awaitRecorded(bystander, 1));
        }
    }

    @Test
    void garbageBeforeAHeaderIsRefusedAndAnotherDeviceConnectsAfterwards() throws Exception {
        try (Socket raw = new Socket("127.0.0.1", PORT)) {
            raw.setSoTimeout(10_000);
            byte[] garbage = new byte[600];
            for (int i = 0; i < garbage.length; i++) {
                garbage[i] = (byte) (i * 31 + 5);
            }
            try {
                raw.getOutputStream().write(garbage);
                assertEquals(-1, raw.getInputStream().read());
            } catch (IOException closedWhileWriting) {
                // also fine: the gateway closed while we were still writing
            }
        }
        String id = id(4);
        try (UsmpClient c = connect(id)) {
            c.send("after-garbage".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of("1:after-garbage"), awaitRecorded(id, 1));
        }
    }

    @Test
    void largestReplyAndDownlinkArriveIntactAndOversizeDownlinkIsRefused() throws Exception {
        String id = id(5);
        try (UsmpClient c = connect(id)) {
            c.send("big-reply:1808".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals(BytePattern.of(1808), c.receive(WAIT), "1808-byte reply");
            String big = HexFormat.of().formatHex(BytePattern.of(1808));
            assertEquals("ok", call("op=send&device=" + id + "&hex=" + big + "&fail=false"));
            assertArrayEquals(BytePattern.of(1808), c.receive(WAIT), "1808-byte downlink");
            String tooBig = HexFormat.of().formatHex(BytePattern.of(1809));
            assertTrue(call("op=send&device=" + id + "&hex=" + tooBig + "&fail=false").startsWith("error"),
                    "a 1809-byte downlink is refused");
            assertNull(c.receive(Duration.ofSeconds(1)), "nothing of the refused downlink arrives");
        }
    }

    @Test
    void severalDownlinksInOneTransactionArriveInOrder() throws Exception {
        String id = id(6);
        try (UsmpClient c = connect(id)) {
            assertEquals("ok", call("op=sequence&device=" + id + "&count=5"));
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(("seq-" + i).getBytes(StandardCharsets.UTF_8), c.receive(WAIT), "message " + i);
            }
            assertNull(c.receive(Duration.ofSeconds(1)));
        }
    }
}
