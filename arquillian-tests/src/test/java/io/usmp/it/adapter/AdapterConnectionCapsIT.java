package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.UsmpClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.URLEncoder;
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
 * The activation's connection caps reach the gateway: with maxConnectionsPerIp=2 the third
 * connection from 127.0.0.1 is refused at once while the first two keep working; with
 * maxConnections=3 a connection from 127.0.0.2 fills the last slot and one from 127.0.0.3 is
 * refused. RefusedConnections counts both.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class AdapterConnectionCapsIT {
    private static final int PORT = 17407;

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        // A long HELLO timeout: the plain sockets below must keep their connections while the test looks.
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT), "maxConnections", "3", "maxConnectionsPerIp", "2",
                "helloTimeoutMillis", "10000"));
    }

    private long refused() throws Exception {
        String mbean = "io.usmp:type=Activation,address=\"127.0.0.1:" + PORT + "\"";
        return Long.parseLong(new Control(base).call("op=mbean&name=" + URLEncoder.encode(mbean, StandardCharsets.UTF_8)
                + "&attribute=RefusedConnections"));
    }

    private long awaitRefused(long expected) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long n = refused();
        while (n < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
            n = refused();
        }
        return n;
    }

    private static UsmpClient connect(String id) throws IOException {
        return ItDevices.connect(PORT, id, ItDevices.psk(id));
    }

    private static void roundTrip(UsmpClient c, String text) throws Exception {
        c.send(("reply:" + text).getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), c.receive(Duration.ofSeconds(30)));
    }

    /**
     * True when the server keeps the connection open for 0.5 s. Less than the gateway's HELLO timeout (1 s):
     * with 1 s here, a slow server could close the silent 127.0.0.2 connection for its missing HELLO just
     * after this returned, freeing the slot the 127.0.0.3 connection must be refused for (seen on Payara 6).
     */
    private static boolean keptOpen(Socket s) throws IOException {
        s.setSoTimeout(500);
        InputStream in = s.getInputStream();
        try {
            return in.read() != -1;
        } catch (SocketTimeoutException stillOpen) {
            return true;
        } catch (SocketException reset) {
            return false;
        }
    }

    private static Socket from(String source) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        s.connect(new InetSocketAddress("127.0.0.1", PORT), 5_000);
        return s;
    }

    @Test
    void extraConnectionsAreRefusedAtOnceWhileTheOthersWork() throws Exception {
        long before = refused();
        try (UsmpClient a = connect(ItDevices.id(40)); UsmpClient b = connect(ItDevices.id(41))) {
            long start = System.nanoTime();
            assertThrows(IOException.class, () -> connect(ItDevices.id(42)).close(), "a third connection from 127.0.0.1");
            assertTrue(System.nanoTime() - start < 3_000_000_000L, "refused at once, not after a handshake timeout");
            assertEquals(before + 1, awaitRefused(before + 1), "RefusedConnections counts the per-IP refusal");
            roundTrip(a, "a-works");
            roundTrip(b, "b-works");

            try (Socket third = from("127.0.0.2")) {
                assertTrue(keptOpen(third), "another address still gets the last of 3 slots");
                try (Socket fourth = from("127.0.0.3")) {
                    assertTrue(!keptOpen(fourth), "over maxConnections: closed at once");
                }
                assertEquals(before + 2, awaitRefused(before + 2), "RefusedConnections counts the total-cap refusal");
            }
            roundTrip(a, "a-still-works");
            roundTrip(b, "b-still-works");
        }
    }
}
