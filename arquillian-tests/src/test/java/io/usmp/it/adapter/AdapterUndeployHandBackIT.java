package io.usmp.it.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.UsmpClient;
import io.usmp.protocol.UsmpException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Undeploy while a device streams and the MDB lags behind: every message the device wrote is
 * delivered or dead-lettered, none lost and none twice. The gateway says BYE and keeps reading
 * what the device sent before it saw it; what the grace period cannot deliver is dead-lettered.
 */
@ExtendWith(ArquillianExtension.class)
@PreparedServer({Server.Need.MDBS, Server.Need.KEYSTORE_PASSWORD})
@RunAsClient
class AdapterUndeployHandBackIT {
    private static final String DEPLOYMENT = "usmp-it-hand-back";
    private static final int PORT = 17410;
    private static final Path DELIVERED = Path.of("target", "it-hand-back-delivered.txt").toAbsolutePath();
    private static final Pattern PAYLOAD = Pattern.compile("\"payloadBase64\":\"([^\"]*)\"");

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = DEPLOYMENT, managed = false, testable = false)
    static EnterpriseArchive deployment() throws Exception {
        return AdapterArchives.ear(Map.of("port", String.valueOf(PORT), "shutdownGraceMillis", "300",
                "perDeviceQueueBound", "256", "closeLingerMillis", "5000", "deliverSessionEvents", "false"));
    }

    /** Ids of the "note:" messages of this run found in dead-letter records. */
    private static Set<String> deadLettered(String prefix) throws Exception {
        Set<String> ids = new HashSet<>();
        if (!Files.isDirectory(ItDevices.DEAD_LETTERS)) {
            return ids;
        }
        try (Stream<Path> files = Files.list(ItDevices.DEAD_LETTERS)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = PAYLOAD.matcher(Files.readString(f));
                if (f.toString().endsWith(".json") && m.find()) {
                    String text = new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
                    if (text.startsWith(prefix)) {
                        ids.add(text.substring(prefix.length()));
                    }
                }
            }
        }
        return ids;
    }

    @Test
    void everyMessageWrittenBeforeUndeployIsDeliveredOrDeadLetteredExactlyOnce() throws Exception {
        Files.deleteIfExists(DELIVERED);
        // Ids unique to this run: the dead-letter directory outlives a run.
        String run = Long.toHexString(System.nanoTime()) + "-";
        String prefix = "note:" + DELIVERED + "|" + run;
        deployer.deploy(DEPLOYMENT);
        UsmpClient device = ItDevices.connect(PORT, ItDevices.id(82), ItDevices.psk(ItDevices.id(82)));
        AtomicInteger sent = new AtomicInteger();
        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
            try {
                for (int n = 0; n < 50_000; n++) {
                    device.send((prefix + n).getBytes(StandardCharsets.UTF_8));
                    sent.incrementAndGet();
                }
            } catch (UsmpException endedByUndeploy) {
                // the gateway said BYE: the device stops, as a real one would
            }
        });
        for (int i = 0; i < 200 && sent.get() < 500; i++) {
            Thread.sleep(50);
        }
        deployer.undeploy(DEPLOYMENT);
        stream.get(60, TimeUnit.SECONDS);
        device.close();

        List<String> delivered = (Files.exists(DELIVERED) ? Files.readAllLines(DELIVERED) : List.<String>of()).stream()
                .filter(line -> line.startsWith(run)).map(line -> line.substring(run.length())).toList();
        Set<String> deliveredIds = new HashSet<>(delivered);
        Set<String> deadIds = deadLettered(prefix);
        assertEquals(delivered.size(), deliveredIds.size(), "no message delivered twice");
        assertTrue(deadIds.stream().noneMatch(deliveredIds::contains), "no message both delivered and dead-lettered");
        assertTrue(sent.get() >= 500, "the device was streaming when the undeploy came: " + sent.get());
        assertTrue(!deadIds.isEmpty(), "the lagging MDB left a backlog that undeploy handed back");
        assertEquals(sent.get(), deliveredIds.size() + deadIds.size(),
                "sent = delivered + dead-lettered (delivered " + deliveredIds.size() + ", dead-lettered " + deadIds.size() + ")");
    }
}
