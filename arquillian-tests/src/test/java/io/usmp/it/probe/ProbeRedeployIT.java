package io.usmp.it.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.OperateOnDeployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deploys the same EAR, undeploys it and deploys it again: the adapter must stop cleanly (endpoint
 * deactivated, adapter stopped) and the second deployment, with fresh classes, must deliver again.
 * The EAR has the same name as the one {@link ProbeDeliveryIT} deploys, so running both classes
 * also covers deploying one EAR name several times in a row.
 */
@ExtendWith(ArquillianExtension.class)
@ServerSetup(MdbSupportServerSetupTask.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProbeRedeployIT {

    private static final String DEPLOYMENT = "probe";
    private static final String FIRST_LOADER = "usmp.probe.it.first-loader";
    private static final String STOPS_BEFORE = "usmp.probe.it.stops-before";
    private static final String DEACTIVATIONS_BEFORE = "usmp.probe.it.deactivations-before";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @ArquillianResource
    private Deployer deployer;

    @Deployment(name = DEPLOYMENT, managed = false)
    static EnterpriseArchive deployment() {
        return ProbeArchives.ear(ProbeRedeployIT.class);
    }

    @Test
    @Order(1)
    @RunAsClient
    void deploy() {
        deployer.deploy(DEPLOYMENT);
    }

    @Test
    @Order(2)
    @OperateOnDeployment(DEPLOYMENT)
    void firstDeploymentDelivers() throws Exception {
        assertDelivered();
        // Remember this deployment's class loader and the adapter's lifecycle counters in the
        // server JVM, for the check after the redeploy.
        System.setProperty(FIRST_LOADER, identity(ProbeLog.class.getClassLoader()));
        System.setProperty(STOPS_BEFORE, String.valueOf(Integer.getInteger(ProbeResourceAdapter.STOPS, 0)));
        System.setProperty(DEACTIVATIONS_BEFORE, String.valueOf(Integer.getInteger(ProbeResourceAdapter.DEACTIVATIONS, 0)));
    }

    @Test
    @Order(3)
    @RunAsClient
    void undeployAndDeployAgain() {
        deployer.undeploy(DEPLOYMENT);
        deployer.deploy(DEPLOYMENT);
    }

    @Test
    @Order(4)
    @OperateOnDeployment(DEPLOYMENT)
    void secondDeploymentDeliversAgain() throws Exception {
        try {
            assertDelivered();
            assertNotEquals(System.getProperty(FIRST_LOADER), identity(ProbeLog.class.getClassLoader()),
                    "the redeployed EAR has a new class loader");
            assertEquals(Integer.getInteger(STOPS_BEFORE) + 1, Integer.getInteger(ProbeResourceAdapter.STOPS, 0),
                    "the first adapter instance was stopped");
            assertEquals(Integer.getInteger(DEACTIVATIONS_BEFORE) + 1, Integer.getInteger(ProbeResourceAdapter.DEACTIVATIONS, 0),
                    "the first adapter's endpoint was deactivated");
        } finally {
            System.clearProperty(FIRST_LOADER);
            System.clearProperty(STOPS_BEFORE);
            System.clearProperty(DEACTIVATIONS_BEFORE);
        }
    }

    @Test
    @Order(5)
    @RunAsClient
    void undeploy() {
        deployer.undeploy(DEPLOYMENT);
    }

    /** Exactly one round of deliveries in this deployment's fresh log, with the expected outcomes. */
    private static void assertDelivered() throws Exception {
        List<String> events = ProbeLog.await("work.done"::equals, TIMEOUT);
        List<Delivery> deliveries = ProbeLookup.results().await(3, TIMEOUT);
        assertEquals(List.of("hello", "rollback", "two-phase"), deliveries.stream().map(Delivery::message).toList(), events::toString);
        assertEquals(1, events.stream().filter("ra.start"::equals).count(), events::toString);
        assertTrue(events.stream().anyMatch(e -> e.startsWith("xa[hello].commit")), events::toString);
        assertTrue(events.contains("xa[rollback].rollback"), events::toString);
        assertTrue(events.contains("xa[two-phase].commit(onePhase=false)"), events::toString);
    }

    private static String identity(Object o) {
        return o.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(o));
    }
}
