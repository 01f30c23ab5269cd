package io.usmp.ra;

import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Executors over the container's WorkManager: no thread exists that the container does not know. */
final class WorkExecutors {
    private static final System.Logger LOG = System.getLogger(WorkExecutors.class.getName());
    /** Bound on handing one delivery task from a thread that carries a transaction to another. */
    static final int MAX_HOPS = 8;
    /** Threads already reported as carrying a transaction (bounded by the container's pool size). */
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    private WorkExecutors() {
    }

    /** Each task becomes one long-running Work (Netty event loops run for the adapter's lifetime). */
    static Executor longRunning(WorkManager wm, String name) {
        return task -> {
            try {
                wm.scheduleWork(new ContainerWork(task, true, name), WorkManager.INDEFINITE, null, null);
            } catch (WorkException e) {
                throw new RejectedExecutionException("the WorkManager refused " + name + ": " + e.getMessage(), e);
            }
        };
    }

    /**
     * Each task becomes one short Work (a delivery worker, which serves many devices in turn). A task
     * whose Work starts on a thread that already carries a transaction goes to a new Work instead, at most
     * {@value #MAX_HOPS} times: every MDB delivery on such a thread would join that transaction and fail.
     * Payara leaves one on a pooled thread when an undeploy stops the application's EJBs under a delivery
     * in flight ("Client's transaction aborted" from then on, whatever is deployed later).
     * {@code transactions} (the BootstrapContext's) may be null: no check then.
     */
    static Executor shortWork(WorkManager wm, String name, TransactionSynchronizationRegistry transactions) {
        return new Executor() {
            @Override
            public void execute(Runnable task) {
                schedule(task, 0);
            }

            private void schedule(Runnable task, int hops) {
                Runnable checked = () -> {
                    if (hops < MAX_HOPS && carriesTransaction(transactions)) {
                        try {
                            schedule(task, hops + 1);
                            return;
                        } catch (RejectedExecutionException e) {
                            // No other Work now: run here rather than lose the task (its deliveries fail and
                            // are retried or dead-lettered like any failed delivery).
                        }
                    }
                    task.run();
                };
                try {
                    wm.scheduleWork(new ContainerWork(checked, false, name));
                } catch (WorkException e) {
                    throw new RejectedExecutionException("the WorkManager refused " + name + ": " + e.getMessage(), e);
                }
            }
        };
    }

    private static boolean carriesTransaction(TransactionSynchronizationRegistry transactions) {
        if (transactions == null) {
            return false;
        }
        int status = transactions.getTransactionStatus();
        if (status == Status.STATUS_NO_TRANSACTION) {
            return false;
        }
        String thread = Thread.currentThread().getName();
        LOG.log(REPORTED.add(thread) ? Level.WARNING : Level.DEBUG,
                "the container left a transaction (status {0}) on thread {1}; USMP deliveries go to another thread",
                status, thread);
        return true;
    }
}
