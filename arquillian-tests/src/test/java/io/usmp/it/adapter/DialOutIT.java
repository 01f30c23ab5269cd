package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ServerConfig;
import io.usmp.protocol.CloseReason;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
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
 * Dial-out on every server: an EJB uses pooled, transactional dial-out factories against core gateways
 * this test runs on loopback as the remote peers. The factories are declared by the server-neutral
 * {@link Server#addDialFactories} (WildFly: the RAR's ironjacamar.xml; Payara: application-scoped
 * connector pools and resources): {@code default} has one identity, {@code ten} ten identities for ten
 * concurrent sessions, {@code validated} two identities and validation (PING/PONG) on every checkout.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DialOutIT {
    static final int PORT = 17440;
    static final int VALIDATED_PORT = 17441;
    static final int TEN_PORT = 17442;
    static final String ME = ItDevices.id(90);
    /** Ten identities from the test keystore, {@link #ME} first. */
    static final List<String> IDS = IntStream.range(90, 100).mapToObj(ItDevices::id).toList();
    static final Path PASSWORD_FILE = Path.of("target", "it-dial.password").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Peer peer;
    private static Peer validatedPeer;
    private static Peer tenPeer;

    @ArquillianResource
    private URL base;

    /**
     * The remote end: a core gateway that knows {@link #IDS}, records messages and answers {@code echo:<x>}
     * with {@code <x>}; {@code gather:<n>:<x>} is answered with {@code <x>} once {@code n} sessions wait
     * for such an answer at the same time; {@code hold} blocks its session's listener until {@link #release},
     * and with two more messages waiting the gateway stops reading that socket: a peer that silently
     * stopped answering, its connection open.
     */
    static final class Peer implements ServerListener {
        final UsmpServer server;
        final List<String> received = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        private final AtomicInteger open = new AtomicInteger();
        private final AtomicInteger peakOpen = new AtomicInteger();
        private final List<Map.Entry<UsmpSession, String>> gathered = new ArrayList<>();

        Peer(int port) throws Exception {
            Map<DeviceId, byte[]> psks = new HashMap<>();
            IDS.forEach(id -> psks.put(DeviceId.fromHex(id), ItDevices.psk(id)));
            server = UsmpServer.start(ServerConfig.builder(PskResolver.of(psks)).bind("127.0.0.1", port)
                    .inboundQueueCapacity(2).build(), this);
        }

        @Override
        public void onSession(UsmpSession session) {
            peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        }

        @Override
        public void onClosed(UsmpSession session, CloseReason reason, UsmpException cause) {
            open.decrementAndGet();
        }

        @Override
        public void onMessage(UsmpSession session, byte[] payload) {
            String s = new String(payload, StandardCharsets.UTF_8);
            received.add(s);
            if (s.startsWith("echo:")) {
                reply(session, s.substring(5));
            } else if (s.startsWith("gather:")) {
                String[] parts = s.split(":", 3);
                List<Map.Entry<UsmpSession, String>> ready = List.of();
                synchronized (gathered) {
                    gathered.add(Map.entry(session, parts[2]));
                    if (gathered.size() == Integer.parseInt(parts[1])) {
                        ready = List.copyOf(gathered);
                        gathered.clear();
                    }
                }
                ready.forEach(e -> reply(e.getKey(), e.getValue()));
            } else if (s.equals("hold")) {
                try {
                    release.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private static void reply(UsmpSession session, String answer) {
            try {
                session.send(answer.getBytes(StandardCharsets.UTF_8));
            } catch (UsmpException e) {
                throw new IllegalStateException(e);
            }
        }

        long handshakes() {
            return server.statistics().handshakesSucceeded();
        }

        int peakSessions() {
            return peakOpen.get();
        }

        void close() {
            release.countDown();
            server.close(1000);
        }
    }

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        ResourceAdapterArchive rar = AdapterArchives.rar();
        Files.writeString(PASSWORD_FILE, ItDevices.KEYSTORE_PASSWORD);
        Files.setPosixFilePermissions(PASSWORD_FILE, PosixFilePermissions.fromString("rw-------"));
        JavaArchive ejb = ShrinkWrap.create(JavaArchive.class, "usmp-dial-it-ejb.jar").addClasses(DialBean.class);
        WebArchive war = ShrinkWrap.create(WebArchive.class, "usmp-dial-it-web.war").addClass(DialServlet.class);
        EnterpriseArchive ear = ShrinkWrap.create(EnterpriseArchive.class, "usmp-dial-it.ear");
        Server.current().addDialFactories(ear, rar, Server.Adapter.inEar("usmp-dial-it", AdapterArchives.RAR_NAME), List.of(
                new Server.DialFactory("default", dialProperties(PORT, Map.of("deviceId", ME)), 1, false),
                new Server.DialFactory("ten", dialProperties(TEN_PORT, Map.of("deviceIds", String.join(",", IDS))), 10, false),
                new Server.DialFactory("validated", dialProperties(VALIDATED_PORT,
                        Map.of("deviceIds", IDS.get(0) + "," + IDS.get(1), "validationTimeoutMillis", "1000")), 2, true)));
        return ear.addAsModule(rar).addAsModule(ejb).addAsModule(war);
    }

    /** The factory's properties: target {@code port} on loopback, the test keystore, and {@code identity}. */
    private static Map<String, String> dialProperties(int port, Map<String, String> identity) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("host", "127.0.0.1");
        p.put("port", String.valueOf(port));
        p.putAll(identity);
        p.put("keyStorePath", ItDevices.KEYSTORE.toString());
        p.put("keyStorePasswordFile", PASSWORD_FILE.toString());
        return p;
    }

    @BeforeAll
    static void startPeers() throws Exception {
        peer = new Peer(PORT);
        validatedPeer = new Peer(VALIDATED_PORT);
        tenPeer = new Peer(TEN_PORT);
    }

    @AfterAll
    static void stopPeers() {
        for (Peer p : new Peer[] {peer, validatedPeer, tenPeer}) {
            if (p != null) {
                p.close();
            }
        }
    }

    private String call(String factory, String query) throws Exception {
        URI uri = URI.create(base.toString().replaceAll("/?$", "/") + "dial?factory="
                + enc(Server.current().dialFactoryJndi(factory)) + "&" + query);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(90)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private String call(String query) throws Exception {
        return call("default", query);
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
    void tenConcurrentHandlesHoldTenSessionsAtTheSameTime() throws Exception {
        String msgs = IntStream.range(0, 10).mapToObj(i -> "gather:10:t" + i).collect(Collectors.joining(","));
        String expected = IntStream.range(0, 10).mapToObj(i -> "t" + i).collect(Collectors.joining(","));
        // The peer answers only once all ten requests wait at the same time, each on its own session.
        assertEquals(expected, call("ten", "op=concurrent&msgs=" + enc(msgs)), "each handle gets its own session's reply");
        assertEquals(10, tenPeer.peakSessions(), "ten sessions open at the peer at once");
        assertEquals(10, tenPeer.handshakes(), "one per identity");
        assertEquals("10", stat(TEN_PORT, "PeakInUse"));
        assertEquals(expected, call("ten", "op=concurrent&msgs=" + enc(msgs)));
        assertEquals(10, tenPeer.handshakes(), "the second round reuses the ten pooled sessions");
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
        assertEquals("v1", call("validated", "op=request&msg=" + enc("echo:v1")));
        assertEquals(1, validatedPeer.handshakes());
        validatedPeer.server.sessions().forEach(UsmpSession::close);
        await("the peer to end the session", () -> validatedPeer.server.sessions().isEmpty());
        assertEquals("v2", call("validated", "op=request&msg=" + enc("echo:v2")), "no failed use: validation got there first");
        assertEquals(2, validatedPeer.handshakes());
        String evictions = stat(VALIDATED_PORT, "Evictions");
        assertTrue(evictions.contains("invalid:peer_bye=1") && !evictions.contains("error:"), evictions);
    }

    @Test
    @Order(7)
    void validationEvictsASessionWhosePeerSilentlyStoppedAnswering() throws Exception {
        long before = validatedPeer.handshakes();
        assertEquals("v3", call("validated", "op=request&msg=" + enc("echo:v3")));
        // The peer's listener blocks on "hold"; with the 300-byte messages behind it waiting, the peer's
        // gateway stops reading the socket: the connection stays open (no FIN, no RST), nothing answers.
        String behind = IntStream.range(0, 6).mapToObj(i -> ("behind-" + i + "-").repeat(40).substring(0, 300))
                .collect(Collectors.joining(","));
        assertEquals("ok", call("validated", "op=tx&rollback=false&msgs=hold," + enc(behind)));
        await("hold at the peer", () -> validatedPeer.received.contains("hold"));
        Thread.sleep(1_100); // past the second in which a PONG stands for a fresh one
        assertEquals("v4", call("validated", "op=request&msg=" + enc("echo:v4")),
                "validation found the silent session (no PONG within 1 s) and the pool opened a fresh one");
        assertEquals(before + 1, validatedPeer.handshakes());
        String evictions = stat(VALIDATED_PORT, "Evictions");
        assertTrue(evictions.contains("invalid:ping_timeout=1") && !evictions.contains("error:"), evictions);
        validatedPeer.release.countDown();
    }
}
