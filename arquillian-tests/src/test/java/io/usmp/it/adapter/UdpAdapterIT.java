package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.usmp.ClientConfig;
import io.usmp.UsmpClient;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.ConnectionClosedException;
import io.usmp.protocol.DeviceId;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * UDP devices through the real adapter in WildFly (activation property {@code transport=both}):
 * their messages reach the MDB exactly once and in order per device, MDB replies and downlinks
 * reach them over UDP, a TCP device on the same port number works alongside, and undeploy ends
 * the UDP sessions with BYE. Own ports (17430 for both transports).
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class UdpAdapterIT {
    private static final String DEPLOYMENT = "usmp-it-udp";
    private static final int PORT = 17430;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int DEVICES = 5;
    private static final int PER_DEVICE = 40;

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = DEPLOYMENT, managed = false, testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT), "transport", "both", "shutdownGraceMillis", "2000"));
    }

    private static UsmpClient udp(String id) throws IOException {
        return UsmpClient.connect(ClientConfig.builder("127.0.0.1", PORT, DeviceId.fromHex(id), ItDevices.psk(id)).udp(true)
                .handshakeTimeout(Duration.ofSeconds(5)).build());
    }

    private static Control control() throws Exception {
        // A deployment this test deploys itself has no injected URL: the server's HTTP port and the WAR's
        // default context root.
        return new Control(new URL("http://127.0.0.1:" + Server.current().httpPort() + "/" + AdapterArchives.APP + "-web/"));
    }

    @Test
    void udpDevicesReachTheMdbOnceInOrderGetRepliesAndDownlinksAndUndeployEndsTheirSessions() throws Exception {
        deployer.deploy(DEPLOYMENT);
        List<UsmpClient> devices = new ArrayList<>();
        try {
            Control control = control();
            control.call("op=clear");
            for (int d = 0; d < DEVICES; d++) {
                devices.add(udp(ItDevices.id(60 + d)));
            }
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (UsmpClient c : devices) {
                senders.add(CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = 0; i < PER_DEVICE; i++) {
                            c.send(("udp-" + i).getBytes(StandardCharsets.UTF_8));
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (CompletableFuture<Void> s : senders) {
                s.get(60, TimeUnit.SECONDS);
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < PER_DEVICE; i++) {
                expected.add("udp-" + i);
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            Map<String, List<String[]>> got = control.recorded();
            while (!allThere(got, expected.size()) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                got = control.recorded();
            }
            for (int d = 0; d < DEVICES; d++) {
                List<String> payloads = got.getOrDefault(ItDevices.id(60 + d), List.of()).stream().map(e -> e[1]).toList();
                assertEquals(expected, payloads, "device " + ItDevices.id(60 + d) + ": exactly once, in order");
            }

            UsmpClient first = devices.get(0);
            first.send("reply:over-udp".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("over-udp".getBytes(StandardCharsets.UTF_8), first.receive(WAIT), "MDB reply over UDP");
            String hex = HexFormat.of().formatHex("downlink-udp".getBytes(StandardCharsets.UTF_8));
            assertEquals("ok", control.call("op=send&device=" + ItDevices.id(61) + "&hex=" + hex + "&rollback=false"));
            assertArrayEquals("downlink-udp".getBytes(StandardCharsets.UTF_8), devices.get(1).receive(WAIT), "downlink over UDP");

            try (UsmpClient tcp = ItDevices.connect(PORT, ItDevices.id(66), ItDevices.psk(ItDevices.id(66)))) {
                tcp.send("reply:over-tcp".getBytes(StandardCharsets.UTF_8));
                assertArrayEquals("over-tcp".getBytes(StandardCharsets.UTF_8), tcp.receive(WAIT), "TCP alongside on the same port");
            }
        } finally {
            deployer.undeploy(DEPLOYMENT);
        }
        try {
            for (UsmpClient c : devices) {
                ConnectionClosedException closed = assertThrows(ConnectionClosedException.class, () -> {
                    while (true) {
                        if (c.receive(WAIT) == null) {
                            throw new AssertionError("session still open after undeploy");
                        }
                    }
                });
                assertEquals(CloseReason.PEER_BYE, closed.reason(), "undeploy ends UDP sessions with BYE");
            }
            assertThrows(Exception.class, () -> udp(ItDevices.id(65)).close(), "nothing answers on UDP after undeploy");
        } finally {
            devices.forEach(UsmpClient::close);
        }
    }

    private static boolean allThere(Map<String, List<String[]>> got, int n) {
        for (int d = 0; d < DEVICES; d++) {
            if (got.getOrDefault(ItDevices.id(60 + d), List.of()).size() < n) {
                return false;
            }
        }
        return true;
    }
}
