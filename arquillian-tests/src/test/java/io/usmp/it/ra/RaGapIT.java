package io.usmp.it.ra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ClientConfig;
import io.usmp.DeviceId;
import io.usmp.UsmpClient;
import io.usmp.it.adapter.MdbSupportServerSetupTask;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cases io.usmp.it.adapter.UsmpAdapterIT does not cover: a reply from a delivery that rolls back,
 * rollback-only on every attempt ending in a dead letter, a downlink whose transaction ends in a
 * system exception, and a bad-magic frame. Own EAR, own port and keystore.
 */
@ExtendWith(ArquillianExtension.class)
@ServerSetup(MdbSupportServerSetupTask.class)
@RunAsClient
class RaGapIT {
    static final String APP = "usmp-ra-gap";
    static final String RESOURCE_ADAPTER = APP + ".ear#usmp-ra.rar";
    private static final int PORT = 17403;
    private static final String PASSWORD = "ra-gap-password";
    private static final Path KEYSTORE = Path.of("target", "ra-gap-psk.p12").toAbsolutePath();
    private static final Path DEAD_LETTERS = Path.of("target", "ra-gap-dead-letters").toAbsolutePath();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @ArquillianResource
    private URL base;

    static String id(int n) {
        return String.format("e0000000%04x", n);
    }

    static byte[] psk(String hex) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(("ra-gap-" + hex).getBytes(StandardCharsets.UTF_8));
    }

    static UsmpClient connect(String hex) throws Exception {
        return connect(PORT, hex, psk(hex));
    }

    static UsmpClient connect(int port, String hex, byte[] psk) throws Exception {
        return UsmpClient.connect(ClientConfig.builder("127.0.0.1", port, DeviceId.fromHex(hex), psk)
                .handshakeTimeout(Duration.ofSeconds(5)).build());
    }

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return ear(PORT, Map.of());
    }

    /** usmp-ra-gap.ear listening on {@code port}, with some activation properties added or replaced. */
    static EnterpriseArchive ear(int port, Map<String, String> overrides) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        KeyStore.ProtectionParameter protection = new KeyStore.PasswordProtection(PASSWORD.toCharArray());
        for (int i = 0; i < 8; i++) {
            ks.setEntry(id(i), new KeyStore.SecretKeyEntry(new SecretKeySpec(psk(id(i)), "AES")), protection);
        }
        Files.createDirectories(KEYSTORE.getParent());
        try (OutputStream out = Files.newOutputStream(KEYSTORE)) {
            ks.store(out, PASSWORD.toCharArray());
        }
        String[][] config = {
            {"bindAddress", "127.0.0.1"},
            {"port", String.valueOf(port)},
            {"keyStorePath", KEYSTORE.toString()},
            {"keyStorePassword", PASSWORD},
            {"maxDeliveryAttempts", "3"},
            {"redeliveryBackoffMillis", "100"},
            {"deadLetterDirectory", DEAD_LETTERS.toString()},
        };
        Map<String, String> all = new LinkedHashMap<>();
        for (String[] kv : config) {
            all.put(kv[0], kv[1]);
        }
        all.putAll(overrides);
        StringBuilder props = new StringBuilder();
        for (Map.Entry<String, String> kv : all.entrySet()) {
            props.append("<activation-config-property><activation-config-property-name>").append(kv.getKey())
                    .append("</activation-config-property-name><activation-config-property-value>").append(kv.getValue())
                    .append("</activation-config-property-value></activation-config-property>\n");
        }
        String ejbJarXml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<ejb-jar xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"4.0\">\n"
                + "<enterprise-beans><message-driven><ejb-name>RaMdb</ejb-name>\n"
                + "<activation-config>\n" + props + "</activation-config>\n"
                + "</message-driven></enterprise-beans></ejb-jar>\n";
        ResourceAdapterArchive rar = ShrinkWrap.createFromZipFile(ResourceAdapterArchive.class,
                new File(Path.of("target", "deps", "usmp-ra.rar").toString()));
        JavaArchive ejb = ShrinkWrap.create(JavaArchive.class, APP + "-ejb.jar")
                .addClasses(RaMdb.class, RaRecorder.class, RaDownlinkBean.class, RaPattern.class)
                .addAsManifestResource(new StringAsset(ejbJarXml), "ejb-jar.xml");
        WebArchive war = ShrinkWrap.create(WebArchive.class, APP + "-web.war").addClass(RaServlet.class);
        return ShrinkWrap.create(EnterpriseArchive.class, APP + ".ear").addAsModule(rar).addAsModule(ejb).addAsModule(war);
    }

    private String call(String query) throws Exception {
        URI uri = URI.create(base.toString().replaceAll("/?$", "/") + "ra?" + query);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** (attempt, payload) entries the MDB recorded for a device. */
    private List<String> recorded(String device) throws Exception {
        String dump = call("op=dump&device=" + device);
        if (dump.isBlank()) {
            return List.of();
        }
        return Stream.of(dump.split(" ")).map(e -> {
            String[] p = e.split(":", 2);
            return p[0] + ":" + new String(Base64.getDecoder().decode(p[1]), StandardCharsets.UTF_8);
        }).toList();
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
        String encoded = Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(DEAD_LETTERS)) {
                try (Stream<Path> files = Files.list(DEAD_LETTERS)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        if (f.toString().endsWith(".json")) {
                            String json = Files.readString(f);
                            if (json.contains(encoded)) {
                                return json;
                            }
                        }
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no dead letter with " + payload + " in " + DEAD_LETTERS);
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
            assertArrayEquals(RaPattern.of(1808), c.receive(WAIT), "1808-byte reply");
            String big = HexFormat.of().formatHex(RaPattern.of(1808));
            assertEquals("ok", call("op=send&device=" + id + "&hex=" + big + "&fail=false"));
            assertArrayEquals(RaPattern.of(1808), c.receive(WAIT), "1808-byte downlink");
            String tooBig = HexFormat.of().formatHex(RaPattern.of(1809));
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
