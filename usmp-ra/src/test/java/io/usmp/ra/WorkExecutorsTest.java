package io.usmp.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkManager;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.lang.reflect.Proxy;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Delivery work and threads the container left a transaction on (Payara, after an undeploy tore down an
 * MDB call in flight): the task moves to another Work instead of running its deliveries there.
 */
class WorkExecutorsTest {
    private final AtomicInteger scheduled = new AtomicInteger();
    private final AtomicInteger ran = new AtomicInteger();

    /** Runs each Work at once, counting them. */
    private WorkManager workManager() {
        return (WorkManager) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {WorkManager.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("scheduleWork")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    scheduled.incrementAndGet();
                    ((Work) args[0]).run();
                    return null;
                });
    }

    /** The first {@code tainted} status reads see a transaction marked for rollback, the later ones none. */
    private static TransactionSynchronizationRegistry transactions(int tainted) {
        AtomicInteger reads = new AtomicInteger();
        return (TransactionSynchronizationRegistry) Proxy.newProxyInstance(WorkExecutorsTest.class.getClassLoader(),
                new Class<?>[] {TransactionSynchronizationRegistry.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("getTransactionStatus")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return reads.incrementAndGet() <= tainted ? Status.STATUS_MARKED_ROLLBACK : Status.STATUS_NO_TRANSACTION;
                });
    }

    @Test
    void aTaskRunsOnceOnTheFirstThreadWithoutATransaction() {
        Executor delivery = WorkExecutors.shortWork(workManager(), "usmp-delivery", transactions(2));
        delivery.execute(ran::incrementAndGet);
        assertEquals(1, ran.get());
        assertEquals(3, scheduled.get(), "two Works started on a thread with a transaction, the third ran the task");
    }

    @Test
    void aTaskStillRunsWhenEveryThreadCarriesATransaction() {
        Executor delivery = WorkExecutors.shortWork(workManager(), "usmp-delivery", transactions(Integer.MAX_VALUE));
        delivery.execute(ran::incrementAndGet);
        assertEquals(1, ran.get(), "after the last hop the task runs where it is (its deliveries fail and are retried)");
        assertEquals(WorkExecutors.MAX_HOPS + 1, scheduled.get());
    }

    @Test
    void withoutARegistryNothingIsChecked() {
        Executor delivery = WorkExecutors.shortWork(workManager(), "usmp-delivery", null);
        delivery.execute(ran::incrementAndGet);
        assertEquals(1, ran.get());
        assertEquals(1, scheduled.get());
    }
}
