package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.CloseReason;
import io.usmp.protocol.ConnectionClosedException;
import io.usmp.UsmpClient;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undeploying while a device is connected ends its session with BYE, frees the port and leaves no
 * thread running adapter code; deploying again works, ten times in a row (three on Payara Micro, see
 * {@link #cycles}).
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class UsmpRedeployIT {
    private static final String DEPLOYMENT = "usmp-it-redeploy";

    /**
     * Ten cycles look for what accumulates in one server (threads, ports, class loaders). Payara Micro stops its
     * JVM on undeploy and boots a new one per deploy (about half a minute each here), so nothing can accumulate:
     * three cycles there prove the BYE, the hand-back and the free port on undeploy.
     */
    private static int cycles() {
        return Server.current().undeployStopsServer() ? 3 : 10;
    }

    @ArquillianResource
    private Deployer deployer;

    /** Threads of the server whose stack runs adapter or Netty code. */
    private static long adapterThreads() throws Exception {
        return Server.current().threadsRunning("io.netty.", "io.usmp.");
    }

    @Deployment(name = DEPLOYMENT, managed = false, testable = false)
    static EnterpriseArchive deployment() throws Exception {
        // A redelivery backoff far longer than the shutdown grace: undeploy must hand back (dead-letter)
        // a message that is waiting to be redelivered, not lose it.
        return AdapterArchives.ear(Map.of("redeliveryBackoffMillis", "60000", "shutdownGraceMillis", "500"));
    }

    @Test
    void undeployClosesDevicesWithByeAndRedeployWorksRepeatedly() throws Exception {
        int cycles = cycles();
        for (int cycle = 0; cycle < cycles; cycle++) {
            deployer.deploy(DEPLOYMENT);
            UsmpClient device = ItDevices.connect(ItDevices.id(59));
            try {
                byte[] expected = ("cycle-" + cycle).getBytes(StandardCharsets.UTF_8);
                device.send(("reply:cycle-" + cycle).getBytes(StandardCharsets.UTF_8));
                assertArrayEquals(expected, device.receive(Duration.ofSeconds(30)), "cycle " + cycle);
                assertTrue(adapterThreads() > 0, "the thread check sees the adapter's event loops while deployed");
                String waiting = "fail-while-undeploying-" + cycle;
                device.send(waiting.getBytes(StandardCharsets.UTF_8));
                deployer.undeploy(DEPLOYMENT);
                assertTrue(ItDevices.deadLetterWith(waiting).isPresent(), "message waiting for redelivery was dead-lettered by undeploy, cycle " + cycle);
                ConnectionClosedException closed = assertThrows(ConnectionClosedException.class,
                        () -> device.receive(Duration.ofSeconds(30)), "cycle " + cycle);
                assertEquals(CloseReason.PEER_BYE, closed.reason(), "cycle " + cycle);
            } finally {
                device.close();
            }
            assertThrows(IOException.class, () -> new Socket("127.0.0.1", ItDevices.PORT).close(),
                    "nothing listens on the port after undeploy, cycle " + cycle);
        }
        // Bounded wait: once, an event loop was seen still selecting right after the undeploy
        // returned; a thread that is really left behind fails here after 10 s.
        long left = adapterThreads();
        for (int i = 0; i < 50 && left > 0; i++) {
            Thread.sleep(200);
            left = adapterThreads();
        }
        assertEquals(0, left, "no thread runs adapter or Netty code after " + cycles + " undeploys");
    }
}
