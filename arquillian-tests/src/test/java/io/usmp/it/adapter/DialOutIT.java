package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ServerConfig;
import io.usmp.ServerListener;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.protocol.UsmpException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Dial-out on WildFly: an EJB uses the pooled, transactional dial-out factory against a core
 * gateway this test runs on loopback as the remote peer. The default factory is configured through
 * {@code ${usmp.dial.*}} system properties (DialSetupTask); a second one, with background
 * validation every 500 ms, dials a second peer.
 */
@ExtendWith(ArquillianExtension.class)
@ServerSetup(DialSetupTask.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DialOutIT {
    static final int PORT = 17440;
    static final int VALIDATED_PORT = 17441;
    static final String ME = ItDevices.id(90);
    static final Path PASSWORD_FILE = Path.of("target", "it-dial.password").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Peer peer;
    private static Peer validatedPeer;

    @ArquillianResource
    private URL base;

    /** The remote end: a core gateway that records messages and answers {@code echo:<x>} with {@code <x>}. */
    static final class Peer implements ServerListener {
        final UsmpServer server;
        final List<String> received = new CopyOnWriteArrayList<>();

        Peer(int port) throws Exception {
            server = UsmpServer.start(ServerConfig.builder(PskResolver.of(Map.of(DeviceId.fromHex(ME), ItDevices.psk(ME))))
                    .bind("127.0.0.1", port).build(), this);
        }

        @Override
        public void onMessage(UsmpSession session, byte[] payload) {
            String s = new String(payload, StandardCharsets.UTF_8);
            received.add(s);
            if (s.startsWith("echo:")) {
                try {
                    session.send(s.substring(5).getBytes(StandardCharsets.UTF_8));
                } catch (UsmpException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        long handshakes() {
            return server.statistics().handshakesSucceeded();
        }
    }

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        ResourceAdapterArchive rar = AdapterArchives.rar();
        Files.writeString(PASSWORD_FILE, ItDevices.KEYSTORE_PASSWORD);
        Files.setPosixFilePermissions(PASSWORD_FILE, PosixFilePermissions.fromString("rw-------"));
        rar.delete("META-INF/ironjacamar.xml");
        rar.addAsManifestResource(new StringAsset(ironjacamarXml()), "ironjacamar.xml");
        JavaArchive ejb = ShrinkWrap.create(JavaArchive.class, "usmp-dial-it-ejb.jar").addClasses(DialBean.class);
        WebArchive war = ShrinkWrap.create(WebArchive.class, "usmp-dial-it-web.war").addClass(DialServlet.class);
        return ShrinkWrap.create(EnterpriseArchive.class, "usmp-dial-it.ear").addAsModule(rar).addAsModule(ejb).addAsModule(war);
    }

    /** The downlink definition as shipped, the dial-out one as shipped but without validation, and a validated one. */
    private static String ironjacamarXml() {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <ironjacamar xmlns="http://www.ironjacamar.org/doc/schema">
                  <transaction-support>LocalTransaction</transaction-support>
                  <connection-definitions>
                    <connection-definition class-name="io.usmp.ra.outbound.UsmpManagedConnectionFactory"
                                           jndi-name="java:/usmp/ConnectionFactory" pool-name="UsmpConnectionPool">
                      <pool><min-pool-size>0</min-pool-size><max-pool-size>20</max-pool-size></pool>
                    </connection-definition>
                    <connection-definition class-name="io.usmp.ra.dial.UsmpDialManagedConnectionFactory"
                                           jndi-name="java:/usmp/DialConnectionFactory" pool-name="UsmpDialPool">
                      <config-property name="host">${usmp.dial.host:127.0.0.1}</config-property>
                      <config-property name="port">${usmp.dial.port:7400}</config-property>
                      <config-property name="deviceId">${usmp.dial.deviceId:000000000000}</config-property>
                      <config-property name="keyStorePath">${usmp.dial.keyStorePath:usmp-dial.p12}</config-property>
                      <config-property name="keyStorePasswordFile">${usmp.dial.keyStorePasswordFile:usmp-dial.password}</config-property>
                      <pool><min-pool-size>0</min-pool-size><max-pool-size>1</max-pool-size></pool>
                    </connection-definition>
                    <connection-definition class-name="io.usmp.ra.dial.UsmpDialManagedConnectionFactory"
                                           jndi-name="java:/usmp/it/DialValidated" pool-name="UsmpDialValidatedPool">
                      <config-property name="host">127.0.0.1</config-property>
                      <config-property name="port">%d</config-property>
                      <config-property name="deviceId">%s</config-property>
                      <config-property name="keyStorePath">%s</config-property>
                      <config-property name="keyStorePasswordFile">%s</config-property>
                      <pool><min-pool-size>0</min-pool-size><max-pool-size>1</max-pool-size></pool>
                      <validation>
                        <background-validation>true</background-validation>
                        <background-validation-millis>500</background-validation-millis>
                      </validation>
                    </connection-definition>
                  </connection-definitions>
                </ironjacamar>
                """.formatted(VALIDATED_PORT, ME, ItDevices.KEYSTORE, PASSWORD_FILE);
    }

    @BeforeAll
    static void startPeers() throws Exception {
        peer = new Peer(PORT);
        validatedPeer = new Peer(VALIDATED_PORT);
    }

    @AfterAll
    static void stopPeers() {
        if (peer != null) {
            peer.server.close(1000);
        }
        if (validatedPeer != null) {
            validatedPeer.server.close(1000);
        }
    }

    private String call(String query) throws Exception {
        URI uri = URI.create(base.toString().replaceAll("/?$", "/") + "dial?" + query);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private String stat(int port, String attribute) throws Exception {
        return call("op=stats&name=" + enc("127.0.0.1:" + port) + "&attribute=" + attribute);
    }

    private static void await(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (condition.call()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    @Test
    @Order(1)
    void twentyCyclesCostOneHandshake() throws Exception {
        assertEquals("ok", call("op=cycles&n=20"));
        assertEquals(1, peer.handshakes(), "20 getConnection()/close() cycles, one handshake (counted on the peer)");
        await("20 cycles at the peer", () -> peer.received.size() == 20);
        assertEquals("cycle-0", peer.received.get(0));
        assertEquals("cycle-19", peer.received.get(19));
        assertEquals("1", stat(PORT, "Handshakes"));
    }

    @Test
    @Order(2)
    void committedMessagesArriveInOrderAndRolledBackOnesNever() throws Exception {
        peer.received.clear();
        assertEquals("ok", call("op=tx&msgs=c1,c2,c3&rollback=false"));
        assertEquals("ok", call("op=tx&msgs=r1,r2&rollback=true"));
        assertTrue(call("op=fail&msg=r3").startsWith("error"));
        assertEquals("ok", call("op=tx&msgs=c4,c5&rollback=false"));
        await("c5", () -> peer.received.contains("c5"));
        Thread.sleep(200);
        assertEquals(List.of("c1", "c2", "c3", "c4", "c5"), peer.received);
        assertEquals(1, peer.handshakes(), "the same pooled session throughout");
    }

    @Test
    @Order(3)
    void requestGetsThePeersReply() throws Exception {
        assertEquals("pong", call("op=request&msg=" + enc("echo:pong")));
    }

    @Test
    @Order(4)
    void tenConcurrentThreadsOneSessionPerHandle() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String tag = "t" + i;
                replies.add(pool.submit(() -> call("op=request&msg=" + enc("echo:" + tag))));
            }
            for (int i = 0; i < 10; i++) {
                assertEquals("t" + i, replies.get(i).get(), "each thread gets its own reply");
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals("1", stat(PORT, "PeakInUse"), "one handle per session at a time (max-pool-size 1)");
        assertEquals(1, peer.handshakes(), "still the one session");
    }

    @Test
    @Order(5)
    void aSessionThePeerKillsFailsFastIsEvictedAndTheNextUseHandshakesAgain() throws Exception {
        long before = peer.handshakes();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<String> inUse = caller.submit(() -> call("op=pause&first=held&millis=3000&second=lost"));
            await("the first send of the session in use", () -> peer.received.contains("held"));
            peer.server.sessions().forEach(UsmpSession::close);
            assertEquals("error UsmpDialException peer_bye", inUse.get(), "fail fast with a typed exception");
        } finally {
            caller.shutdownNow();
        }
        await("the error eviction", () -> stat(PORT, "Evictions").contains("error:peer_bye=1"));
        assertEquals("ok", call("op=send&msg=after-kill"));
        assertEquals(before + 1, peer.handshakes(), "the next use performs a fresh handshake");
        await("after-kill", () -> peer.received.contains("after-kill"));
        assertTrue(!peer.received.contains("lost"));
    }

    @Test
    @Order(6)
    void validationEvictsASessionWhosePeerWentAwayWhileIdle() throws Exception {
        assertEquals("v1", call("op=request&validated=true&msg=" + enc("echo:v1")));
        assertEquals(1, validatedPeer.handshakes());
        validatedPeer.server.sessions().forEach(UsmpSession::close);
        await("background validation to evict the idle session",
                () -> stat(VALIDATED_PORT, "Evictions").contains("invalid:peer_bye=1"));
        assertEquals("0", stat(VALIDATED_PORT, "SessionsOpen"));
        assertEquals("v2", call("op=request&validated=true&msg=" + enc("echo:v2")), "no failed use: validation got there first");
        assertEquals(2, validatedPeer.handshakes());
        assertTrue(!stat(VALIDATED_PORT, "Evictions").contains("error:"), stat(VALIDATED_PORT, "Evictions"));
    }
}
