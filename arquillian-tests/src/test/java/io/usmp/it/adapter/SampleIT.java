package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.usmp.ClientConfig;
import io.usmp.protocol.DeviceId;
import io.usmp.UsmpClient;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sample application as built by its module, in an EAR with the RAR, configured per README. */
@ExtendWith(ArquillianExtension.class)
@ServerSetup(SampleSetupTask.class)
@RunAsClient
class SampleIT {
    static final String APP = "usmp-sample";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() throws Exception {
        JavaArchive sample = ShrinkWrap.createFromZipFile(JavaArchive.class, new File("target/deps/usmp-ejb-sample.jar"));
        return ShrinkWrap.create(EnterpriseArchive.class, APP + ".ear")
                .addAsModule(AdapterArchives.rar())
                .addAsModule(sample);
    }

    private static UsmpClient connect(String device) throws Exception {
        return UsmpClient.connect(ClientConfig.builder("127.0.0.1", SampleSetupTask.PORT, DeviceId.fromHex(device),
                ItDevices.psk(device)).build());
    }

    @Test
    void telemetryIsAcknowledgedAfterItsTransactionCommits() throws Exception {
        try (UsmpClient device = connect(ItDevices.id(1))) {
            device.send("temp=21.5;hum=40".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("ack 2".getBytes(StandardCharsets.UTF_8), device.receive(Duration.ofSeconds(30)));
        }
    }

    @Test
    void malformedTelemetryIsNeverAcknowledged() throws Exception {
        try (UsmpClient device = connect(ItDevices.id(2))) {
            device.send("no-equals-sign".getBytes(StandardCharsets.UTF_8));
            // Redelivered and finally dead-lettered by the adapter; the rolled-back ack never leaves.
            assertNull(device.receive(Duration.ofSeconds(2)));
        }
    }
}
