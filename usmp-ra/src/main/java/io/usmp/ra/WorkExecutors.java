package io.usmp.ra;

import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Executors over the container's WorkManager: no thread exists that the container does not know. */
public final class WorkExecutors {
    private static final System.Logger LOG = System.getLogger(WorkExecutors.class.getName());

    private WorkExecutors() {
    }

    /** Each task becomes one long-running Work (Netty event loops run for the adapter's lifetime). */
    public static Executor longRunning(WorkManager wm, String name) {
        return task -> {
            try {
                wm.scheduleWork(new ContainerWork(task, true, name), WorkManager.INDEFINITE, null, null);
            } catch (WorkException e) {
                throw new RejectedExecutionException("the WorkManager refused " + name + ": " + e.getMessage(), e);
            }
        };
    }

    /**
     * Runs tasks as short Work, at most {@code max} at a time; the rest wait in order. Bounding
     * here, not by one Work per message, avoids flooding the WorkManager into rejections.
     */
    public static Executor bounded(WorkManager wm, int max, String name) {
        return new Bounded(wm, max, name);
    }

    private static final class Bounded implements Executor {
        private final WorkManager wm;
        private final int max;
        private final String name;
        private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
        private int running;

        Bounded(WorkManager wm, int max, String name) {
            this.wm = wm;
            this.max = max;
            this.name = name;
        }

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                waiting.add(task);
            }
            pump();
        }

        private void pump() {
            while (true) {
                Runnable next;
                synchronized (this) {
                    if (running >= max || waiting.isEmpty()) {
                        return;
                    }
                    next = waiting.poll();
                    running++;
                }
                try {
                    wm.scheduleWork(new ContainerWork(() -> {
                        try {
                            next.run();
                        } finally {
                            synchronized (this) {
                                running--;
                            }
                            pump();
                        }
                    }, false, name));
                } catch (WorkException e) {
                    synchronized (this) {
                        running--;
                        waiting.addFirst(next);
                    }
                    // Retried when a running task finishes or another arrives.
                    LOG.log(Level.WARNING, "WorkManager refused a delivery task; it stays queued: " + e.getMessage());
                    return;
                }
            }
        }
    }
}
