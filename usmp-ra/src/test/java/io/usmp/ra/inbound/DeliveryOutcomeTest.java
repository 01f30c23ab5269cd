package io.usmp.ra.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.Test;

class DeliveryOutcomeTest {
    @Test
    void commitRunsHeldActionsOnceInOrder() throws Exception {
        DeliveryOutcome o = new DeliveryOutcome();
        List<Integer> ran = new ArrayList<>();
        o.onCommit(() -> ran.add(1));
        o.onCommit(() -> ran.add(2));
        assertEquals(XAResource.XA_OK, o.prepare(null)); // never RDONLY: a read-only vote would skip commit
        o.commit(null, false);
        o.commit(null, false);
        assertEquals(List.of(1, 2), ran);
        assertEquals(DeliveryOutcome.State.COMMITTED, o.state());
    }

    @Test
    void rollbackDropsHeldActions() throws Exception {
        DeliveryOutcome o = new DeliveryOutcome();
        List<Integer> ran = new ArrayList<>();
        o.onCommit(() -> ran.add(1));
        o.rollback(null);
        assertEquals(List.of(), ran);
        assertEquals(DeliveryOutcome.State.ROLLED_BACK, o.state());
    }
}
