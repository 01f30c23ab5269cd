package io.usmp.ra;

import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Executors over the container's WorkManager: no thread exists that the container does not know. */
final class WorkExecutors {
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

    /** Each task becomes one short Work (a delivery worker, which serves many devices in turn). */
    static Executor shortWork(WorkManager wm, String name) {
        return task -> {
            try {
                wm.scheduleWork(new ContainerWork(task, false, name));
            } catch (WorkException e) {
                throw new RejectedExecutionException("the WorkManager refused " + name + ": " + e.getMessage(), e);
            }
        };
    }
}
