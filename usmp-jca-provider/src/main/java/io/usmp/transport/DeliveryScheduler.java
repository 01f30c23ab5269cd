package io.usmp.transport;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Serial lines of tasks, keyed (by device), run fairly on a bounded number of workers. Tasks of
 * one line run one at a time, in order; lines proceed in parallel. A line's turn runs at most
 * {@code turn} tasks, then the line goes to the back of the ready queue, so busy devices cannot
 * starve a quiet one. A worker keeps taking ready lines until none is left, so one executor task
 * serves many devices instead of one task per message.
 *
 * <p>Lines are reference counted: a line lives while some session holds it or it still has tasks,
 * so a device's new session queues behind the backlog of its previous one.
 */
final class DeliveryScheduler<K> {
    private static final System.Logger LOG = System.getLogger(DeliveryScheduler.class.getName());

    private final Executor executor;
    private final int maxWorkers;
    private final int turn;
    private final Map<K, Line> lines = new HashMap<>();
    private final ArrayDeque<Line> ready = new ArrayDeque<>();
    private int workers;

    DeliveryScheduler(Executor executor, int maxWorkers, int turn) {
        if (maxWorkers < 1 || turn < 1) {
            throw new IllegalArgumentException("maxWorkers and turn must be positive");
        }
        this.executor = executor;
        this.maxWorkers = maxWorkers;
        this.turn = turn;
    }

    /** The line of {@code key}, shared with earlier holders that have not released it. */
    synchronized Line acquire(K key) {
        Line line = lines.computeIfAbsent(key, Line::new);
        line.holders++;
        return line;
    }

    /** Workers running now (for tests and statistics). */
    synchronized int workers() {
        return workers;
    }

    /** Tasks queued (not yet started) on the line of {@code key}; 0 when it has none. */
    synchronized int queued(K key) {
        Line line = lines.get(key);
        return line == null ? 0 : line.tasks.size();
    }

    /** Lines that exist now: held by a session or still holding tasks. */
    synchronized int lines() {
        return lines.size();
    }

    /** One key's serial queue of tasks. */
    final class Line {
        private final K key;
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private int holders;
        /** In the ready queue or being run by a worker. */
        private boolean scheduled;

        private Line(K key) {
            this.key = key;
        }

        /** Queues a task behind every task submitted to this line before it. */
        void submit(Runnable task) {
            boolean start;
            synchronized (DeliveryScheduler.this) {
                tasks.add(task);
                start = makeReady(this);
            }
            if (start) {
                startWorker();
            }
        }

        /** The holder is done with this line; it goes away once its tasks have run. */
        void release() {
            synchronized (DeliveryScheduler.this) {
                holders--;
                forgetIfIdle(this);
            }
        }

        /**
         * Like a last task that releases the line and then runs {@code finished}, but when nothing
         * is queued or running on the line, both happen now on this thread: a session whose end
         * has no listener call to wait for needs no hand-off to a worker.
         */
        void releaseAfterQueued(Runnable finished) {
            boolean now;
            boolean start = false;
            synchronized (DeliveryScheduler.this) {
                now = tasks.isEmpty() && !scheduled;
                if (now) {
                    holders--;
                    forgetIfIdle(this);
                } else {
                    tasks.add(() -> {
                        release();
                        finished.run();
                    });
                    start = makeReady(this);
                }
            }
            if (now) {
                finished.run();
            } else if (start) {
                startWorker();
            }
        }
    }

    /** Puts a line in the ready queue; true when a new worker should start for it. Holds the lock. */
    private boolean makeReady(Line line) {
        if (!line.scheduled) {
            line.scheduled = true;
            ready.add(line);
        } else if (workers > 0) {
            return false; // a running worker will reach it
        }
        // (Already scheduled with no worker left: its worker was refused. Start one now, or a
        // single busy device would wait forever for a submit to some other line.)
        if (workers < maxWorkers) {
            workers++;
            return true;
        }
        return false;
    }

    private void forgetIfIdle(Line line) {
        if (line.holders <= 0 && line.tasks.isEmpty() && !line.scheduled) {
            lines.remove(line.key, line);
        }
    }

    private void startWorker() {
        try {
            executor.execute(this::work);
        } catch (RejectedExecutionException e) {
            // The ready lines wait for a running worker, or for the next submit to start one.
            synchronized (this) {
                workers--;
            }
            LOG.log(Level.WARNING, "delivery executor refused a worker; deliveries stay queued: " + e.getMessage());
        }
    }

    private void work() {
        while (true) {
            Line line;
            synchronized (this) {
                line = ready.poll();
                if (line == null) {
                    workers--;
                    return;
                }
            }
            for (int i = 0; i < turn; i++) {
                Runnable task;
                synchronized (this) {
                    task = line.tasks.poll();
                }
                if (task == null) {
                    break;
                }
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.WARNING, "delivery task failed for " + line.key + ": " + e.getClass().getName(), e);
                }
            }
            synchronized (this) {
                line.scheduled = false;
                if (!line.tasks.isEmpty()) {
                    line.scheduled = true;
                    ready.add(line);
                } else {
                    forgetIfIdle(line);
                }
            }
        }
    }
}
