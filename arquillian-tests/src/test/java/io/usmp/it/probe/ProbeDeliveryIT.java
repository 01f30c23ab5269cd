package io.usmp.it.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.transaction.Status;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.as.arquillian.api.ServerSetup;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Smoke test of the hard path, run inside WildFly: an MDB bound to a resource adapter of the same
 * EAR gets messages that the adapter delivers from a WorkManager thread, each inside a container
 * transaction in which the XAResource the adapter passed to createEndpoint is enlisted.
 */
@ExtendWith(ArquillianExtension.class)
@ServerSetup(MdbSupportServerSetupTask.class)
class ProbeDeliveryIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Deployment
    static EnterpriseArchive deployment() {
        return ProbeArchives.ear(ProbeDeliveryIT.class);
    }

    private List<String> events;
    private List<Delivery> deliveries;

    @BeforeEach
    void awaitDeliveries() throws Exception {
        events = ProbeLog.await("work.done"::equals, TIMEOUT);
        deliveries = ProbeLookup.results().await(3, TIMEOUT);
    }

    @Test
    void mdbReceivesHelloInsideAnActiveTransaction() {
        assertEquals(List.of("hello", "rollback", "two-phase"), deliveries.stream().map(Delivery::message).toList(), events::toString);
        Delivery hello = deliveries.get(0);
        assertEquals(Status.STATUS_ACTIVE, hello.txStatusOnEntry(), "tx status on entry");
        assertEquals(Status.STATUS_ACTIVE, hello.txStatusOnExit(), "tx status on exit");
        assertTrue(events.contains("work.isDeliveryTransacted=true"), events::toString);
        assertTrue(events.contains("delivered[hello]"), events::toString);
        assertFalse(events.stream().anyMatch(e -> e.startsWith("deliveryFailed") || e.startsWith("work.failed")), events::toString);
    }

    @Test
    void xaResourcePassedToCreateEndpointIsEnlistedAndCommitted() {
        // The only resource in the transaction: one-phase commit, no prepare.
        assertEquals(List.of("xa[hello].start", "xa[hello].end(TMSUCCESS)", "xa[hello].commit(onePhase=true)"),
                ProbeLog.events("xa[hello]."));
    }

    @Test
    void setRollbackOnlyRollsBackTheAdaptersXaResource() {
        Delivery rollback = deliveries.get(1);
        assertEquals(Status.STATUS_ACTIVE, rollback.txStatusOnEntry(), "tx status on entry");
        assertEquals(Status.STATUS_MARKED_ROLLBACK, rollback.txStatusOnExit(), "tx status after setRollbackOnly");
        List<String> xa = ProbeLog.events("xa[rollback].");
        assertEquals("xa[rollback].start", xa.get(0), xa::toString);
        assertTrue(xa.contains("xa[rollback].rollback"), xa::toString); // after end(TMFAIL) on Narayana
        assertFalse(xa.stream().anyMatch(e -> e.contains("commit") || e.contains("prepare")), xa::toString);
        // afterDelivery rolls back quietly: no exception reaches the adapter.
        assertTrue(events.contains("afterDelivery[rollback]"), events::toString);
        assertFalse(events.stream().anyMatch(e -> e.startsWith("deliveryFailed")), events::toString);
    }

    @Test
    void withASecondResourceTheAdaptersXaResourceIsPreparedThenCommitted() {
        Delivery twoPhase = deliveries.get(2);
        assertEquals(Status.STATUS_ACTIVE, twoPhase.txStatusOnExit(), "tx status on exit");
        List<String> xa = ProbeLog.events("xa[two-phase].");
        assertEquals(List.of("xa[two-phase].start", "xa[two-phase].end(TMSUCCESS)", "xa[two-phase].prepare",
                "xa[two-phase].commit(onePhase=false)"), xa);
        assertTrue(ProbeLog.events("xa[two-phase/mdb].").contains("xa[two-phase/mdb].commit(onePhase=false)"), events::toString);
    }

    @Test
    void deliveryRunsOnAWorkManagerThreadNotTheActivationThread() {
        String activation = events.stream().filter(e -> e.startsWith("ra.endpointActivation thread=")).findFirst().orElseThrow();
        String work = events.stream().filter(e -> e.startsWith("work.run thread=")).findFirst().orElseThrow();
        String activationThread = activation.substring(activation.indexOf('=') + 1);
        String workThread = work.substring(work.indexOf('=') + 1);
        assertNotEquals(activationThread, workThread, events::toString);
        deliveries.forEach(d -> assertEquals(workThread, d.thread(), "MDB runs on the adapter's delivery thread"));
    }
}
