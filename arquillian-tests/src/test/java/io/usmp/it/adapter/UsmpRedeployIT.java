package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.usmp.CloseReason;
import io.usmp.ConnectionClosedException;
import io.usmp.UsmpClient;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undeploying while a device is connected ends its session with BYE and frees the port; deploying
 * again works, ten times in a row.
 */
@ExtendWith(ArquillianExtension.class)
@ServerSetup({MdbSupportServerSetupTask.class, PasswordPropertySetupTask.class})
@RunAsClient
class UsmpRedeployIT {
    private static final String DEPLOYMENT = "usmp-it-redeploy";
    private static final int CYCLES = 10;

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = DEPLOYMENT, managed = false, testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear();
    }

    @Test
    void undeployClosesDevicesWithByeAndRedeployWorksTenTimes() throws Exception {
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            deployer.deploy(DEPLOYMENT);
            UsmpClient device = ItDevices.connect(ItDevices.id(59));
            try {
                byte[] expected = ("cycle-" + cycle).getBytes(StandardCharsets.UTF_8);
                device.send(("reply:cycle-" + cycle).getBytes(StandardCharsets.UTF_8));
                assertArrayEquals(expected, device.receive(Duration.ofSeconds(30)), "cycle " + cycle);
                deployer.undeploy(DEPLOYMENT);
                ConnectionClosedException closed = assertThrows(ConnectionClosedException.class,
                        () -> device.receive(Duration.ofSeconds(30)), "cycle " + cycle);
                assertEquals(CloseReason.PEER_BYE, closed.reason(), "cycle " + cycle);
            } finally {
                device.close();
            }
            assertThrows(IOException.class, () -> new Socket("127.0.0.1", ItDevices.PORT).close(),
                    "nothing listens on the port after undeploy, cycle " + cycle);
        }
    }
}
