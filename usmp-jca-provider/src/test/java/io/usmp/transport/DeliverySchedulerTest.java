package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The keyed, fair delivery scheduler. Ordering, fairness and bookkeeping run their workers on the
 * test thread ({@link ManualExecutor}); parallelism uses a real pool and latches, never sleeps.
 */
class DeliverySchedulerTest {
    private static final long WAIT_SECONDS = 10;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    /** Holds the workers the scheduler starts until the test runs them; can refuse some. */
    private static final class ManualExecutor implements Executor {
        private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
        int rejectNext;
        int accepted;

        @Override
        public synchronized void execute(Runnable worker) {
            if (rejectNext > 0) {
                rejectNext--;
                throw new RejectedExecutionException("saturated");
            }
            accepted++;
            queued.add(worker);
        }

        synchronized int pending() {
            return queued.size();
        }

        private synchronized Runnable poll() {
            return queued.poll();
        }

        /** Runs started workers on this thread until none is left; returns how many ran. */
        int runAll() {
            int n = 0;
            for (Runnable w = poll(); w != null; w = poll()) {
                w.run();
                n++;
                assertTrue(n < 10_000, "workers keep starting workers");
            }
            return n;
        }
    }

    private static Runnable append(List<String> log, String entry) {
        return () -> log.add(entry);
    }

    // ---------------------------------------------------------------- order and parallelism

    @Test
    void tasksOfOneKeyRunOneAtATimeInOrder() throws Exception {
        DeliveryScheduler<String> s = new DeliveryScheduler<>(pool, 4, 3);
        DeliveryScheduler<String>.Line line = s.acquire("dev");
        int n = 2_000;
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            line.submit(() -> {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                order.add(id);
                inFlight.decrementAndGet();
                done.countDown();
            });
        }
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(1, maxInFlight.get(), "one line never runs two tasks at once");
        for (int i = 0; i < n; i++) {
            assertEquals(i, order.get(i), "position " + i);
        }
    }

    @Test
    void differentKeysRunInParallelUpToMaxWorkers() throws Exception {
        int maxWorkers = 3;
        AtomicInteger executions = new AtomicInteger();
        Executor counting = task -> {
            executions.incrementAndGet();
            pool.execute(task);
        };
        DeliveryScheduler<Integer> s = new DeliveryScheduler<>(counting, maxWorkers, 1);
        CountDownLatch allBusy = new CountDownLatch(maxWorkers);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(6);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        for (int key = 0; key < 6; key++) {
            s.acquire(key).submit(() -> {
                maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                allBusy.countDown();
                try {
                    gate.await(WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inFlight.decrementAndGet();
                done.countDown();
            });
        }
        assertTrue(allBusy.await(WAIT_SECONDS, TimeUnit.SECONDS), "three keys' tasks run at the same time");
        assertEquals(maxWorkers, s.workers());
        assertEquals(maxWorkers, executions.get(), "no worker beyond maxWorkers was even asked for");
        assertEquals(maxWorkers, inFlight.get(), "the other keys wait for a worker");
        gate.countDown();
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS), "the waiting keys ran on the same workers");
        assertEquals(maxWorkers, maxInFlight.get());
        assertEquals(maxWorkers, executions.get());
    }

    @Test
    void workerCountNeverExceedsMaxWorkersUnderLoad() throws Exception {
        int maxWorkers = 3;
        AtomicInteger live = new AtomicInteger();
        AtomicInteger maxLive = new AtomicInteger();
        Executor tracking = worker -> pool.execute(() -> {
            maxLive.accumulateAndGet(live.incrementAndGet(), Math::max);
            try {
                worker.run();
            } finally {
                live.decrementAndGet();
            }
        });
        DeliveryScheduler<Integer> s = new DeliveryScheduler<>(tracking, maxWorkers, 2);
        int keys = 20;
        int perKey = 200;
        CountDownLatch done = new CountDownLatch(keys * perKey);
        AtomicInteger maxSeen = new AtomicInteger();
        List<DeliveryScheduler<Integer>.Line> lines = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            lines.add(s.acquire(k));
        }
        for (int i = 0; i < perKey; i++) {
            for (DeliveryScheduler<Integer>.Line line : lines) {
                line.submit(() -> {
                    maxSeen.accumulateAndGet(s.workers(), Math::max);
                    done.countDown();
                });
            }
        }
        assertTrue(done.await(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(maxLive.get() <= maxWorkers, "executor tasks alive at once: " + maxLive.get());
        assertTrue(maxSeen.get() <= maxWorkers, "workers() seen by tasks: " + maxSeen.get());
        lines.forEach(DeliveryScheduler.Line::release);
        pool.shutdown();
        assertTrue(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, s.workers(), "every worker ended once the ready queue was empty");
        assertEquals(0, s.lines());
    }

    // ---------------------------------------------------------------- fairness

    @Test
    void busyKeysTakeTurnsOfAtMostTurnTasks() {
        ManualExecutor ex = new ManualExecutor();
        int turn = 2;
        DeliveryScheduler<String> s = new DeliveryScheduler<>(ex, 1, turn);
        List<String> log = new ArrayList<>();
        for (String key : new String[] {"a", "b", "c"}) {
            DeliveryScheduler<String>.Line line = s.acquire(key);
            for (int i = 0; i < 5; i++) {
                line.submit(append(log, key));
            }
        }
        assertEquals(1, ex.runAll(), "one worker serves every line");
        assertEquals(List.of("a", "a", "b", "b", "c", "c", "a", "a", "b", "b", "c", "c", "a", "b", "c"), log);
    }

    @Test
    void aQuietKeyWaitsAtMostBusyKeysTimesTurnTasks() {
        int turn = 3;
        int busyKeys = 5;
        for (int trigger = 0; trigger < 40; trigger += 7) {
            ManualExecutor ex = new ManualExecutor();
            DeliveryScheduler<String> s = new DeliveryScheduler<>(ex, 1, turn);
            AtomicInteger ran = new AtomicInteger();
            int[] submittedAt = {-1};
            int[] quietRanAt = {-1};
            DeliveryScheduler<String>.Line quiet = s.acquire("quiet");
            int fire = trigger;
            for (int k = 0; k < busyKeys; k++) {
                DeliveryScheduler<String>.Line line = s.acquire("busy" + k);
                for (int i = 0; i < 50; i++) {
                    line.submit(() -> {
                        // the quiet device's message arrives while the busy ones are being served
                        if (ran.getAndIncrement() == fire) {
                            submittedAt[0] = ran.get();
                            quiet.submit(() -> quietRanAt[0] = ran.get());
                        }
                    });
                }
            }
            ex.runAll();
            assertTrue(submittedAt[0] >= 0 && quietRanAt[0] >= 0, "trigger " + trigger);
            int before = quietRanAt[0] - submittedAt[0];
            assertTrue(before <= busyKeys * turn,
                    "trigger " + trigger + ": " + before + " busy tasks ran before the quiet one, bound " + busyKeys * turn);
            assertEquals(busyKeys * 50, ran.get(), "every busy task ran too");
        }
    }

    // ---------------------------------------------------------------- lines and sessions

    @Test
    void aLineAcquiredByANewSessionKeepsOrderBehindTheOldSessionsBacklog() {
        ManualExecutor ex = new ManualExecutor();
        DeliveryScheduler<String> s = new DeliveryScheduler<>(ex, 4, 1);
        List<String> log = new ArrayList<>();
        DeliveryScheduler<String>.Line old = s.acquire("dev");
        old.submit(append(log, "old-1"));
        old.submit(append(log, "old-2"));
        DeliveryScheduler<String>.Line other = s.acquire("other");
        other.submit(append(log, "other"));
        DeliveryScheduler<String>.Line fresh = s.acquire("dev"); // the device reconnected
        assertSame(old, fresh, "one line per device while held");
        old.submit(append(log, "old-closed")); // the old session's onClosed comes after its messages
        old.release();
        fresh.submit(append(log, "new-opened"));
        fresh.submit(append(log, "new-1"));
        assertEquals(2, s.lines());
        ex.runAll();
        List<String> dev = log.stream().filter(e -> !e.equals("other")).toList();
        assertEquals(List.of("old-1", "old-2", "old-closed", "new-opened", "new-1"), dev);
        assertTrue(log.contains("other"));
        assertEquals(2, s.lines(), "the new session still holds its line");
        fresh.release();
        other.release();
        assertEquals(0, s.lines());
    }

    @Test
    void aReleasedLineWithQueuedTasksLivesUntilTheyRanAndIsSharedMeanwhile() {
        ManualExecutor ex = new ManualExecutor();
        DeliveryScheduler<String> s = new DeliveryScheduler<>(ex, 1, 1);
        List<String> log = new ArrayList<>();
        DeliveryScheduler<String>.Line old = s.acquire("dev");
        old.submit(append(log, "old-1"));
        old.submit(append(log, "old-2"));
        old.release();
        assertEquals(1, s.lines(), "released but not drained");
        DeliveryScheduler<String>.Line fresh = s.acquire("dev");
        assertSame(old, fresh, "a new session queues behind the backlog");
        fresh.submit(append(log, "new-1"));
        fresh.release();
        ex.runAll();
        assertEquals(List.of("old-1", "old-2", "new-1"), log);
        assertEquals(0, s.lines(), "idle and unheld: gone");
        assertNotSame(old, s.acquire("dev"), "a later session gets a new line");
    }

    @Test
    void releaseRemovesIdleLines() {
        ManualExecutor ex = new ManualExecutor();
        DeliveryScheduler<Integer> s = new DeliveryScheduler<>(ex, 2, 1);
        List<DeliveryScheduler<Integer>.Line> lines = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            lines.add(s.acquire(k));
        }
        assertEquals(5, s.lines());
        lines.get(0).release();
        assertEquals(4, s.lines(), "an idle line goes at once");
        lines.get(1).submit(() -> { });
        lines.get(1).release();
        assertEquals(4, s.lines(), "not before its task ran");
        ex.runAll();
        assertEquals(3, s.lines());
        for (int k = 2; k < 5; k++) {
            lines.get(k).submit(() -> { });
        }
        ex.runAll();
        assertEquals(3, s.lines(), "held lines stay");
        for (int k = 2; k < 5; k++) {
            lines.get(k).release();
        }
        assertEquals(0, s.lines());
        assertEquals(0, s.workers());
    }

    @Test
    void releaseAfterQueuedRunsAtOnceOnAnIdleLineWithoutAWorker() {
        ManualExecutor ex = new ManualExecutor();
        DeliveryScheduler<String> s = new DeliveryScheduler<>(ex, 2, 1);
        List<String> log = new ArrayList<>();
        s.acquire("dev").releaseAfterQueued(append(log, "finished"));
        assertEquals(List.of("finished"), log, "ran on the calling thread");
        assertEquals(0, ex.accepted, "no worker started");
        assertEquals(0, s.lines());
    }

    @Test
    void releaseAfterQueuedWaitsForTheLinesTasksAndKeepsTheLineForANewSessionMeanwhile() {
        ManualExecutor ex = new ManualExecutor();
        DeliveryScheduler<String> s = new DeliveryScheduler<>(ex, 1, 1);
        List<String> log = new ArrayList<>();
        DeliveryScheduler<String>.Line old = s.acquire("dev");
        old.submit(append(log, "old-1"));
        old.releaseAfterQueued(append(log, "old finished"));
        assertEquals(List.of(), log, "behind the queued task");
        DeliveryScheduler<String>.Line fresh = s.acquire("dev");
        assertSame(old, fresh, "still alive while its backlog is queued");
        fresh.submit(append(log, "new-1"));
        ex.runAll();
        assertEquals(List.of("old-1", "old finished", "new-1"), log);
        assertEquals(1, s.lines(), "the new session holds it");
        fresh.release();
        assertEquals(0, s.lines());
    }

    @Test
    void aFailingTaskDoesNotStopItsLine() {
        ManualExecutor ex = new ManualExecutor();
        DeliveryScheduler<String> s = new DeliveryScheduler<>(ex, 1, 4);
        List<String> log = new ArrayList<>();
        DeliveryScheduler<String>.Line line = s.acquire("dev");
        line.submit(append(log, "1"));
        line.submit(() -> {
            throw new IllegalStateException("listener bug");
        });
        line.submit(append(log, "3"));
        ex.runAll();
        assertEquals(List.of("1", "3"), log);
        assertEquals(0, s.workers());
    }

    // ---------------------------------------------------------------- a saturated executor

    @Test
    void aRejectedWorkerLosesNoTaskTheNextSubmitOfAnotherKeyRunsThem() {
        ManualExecutor ex = new ManualExecutor();
        DeliveryScheduler<String> s = new DeliveryScheduler<>(ex, 2, 1);
        List<String> log = new ArrayList<>();
        ex.rejectNext = 1;
        s.acquire("a").submit(append(log, "a-1"));
        assertEquals(0, s.workers(), "the refused worker is not counted");
        assertEquals(0, ex.pending());
        s.acquire("b").submit(append(log, "b-1"));
        assertEquals(1, s.workers());
        ex.runAll();
        assertEquals(List.of("a-1", "b-1"), log, "the queued line ran first");
        assertEquals(0, s.workers());
    }

    @Test
    void aRejectedWorkerLosesNoTaskTheNextSubmitOfTheSameKeyRunsThem() {
        // A single device: nothing else will ever start a worker for it.
        ManualExecutor ex = new ManualExecutor();
        DeliveryScheduler<String> s = new DeliveryScheduler<>(ex, 2, 1);
        List<String> log = new ArrayList<>();
        DeliveryScheduler<String>.Line line = s.acquire("only");
        ex.rejectNext = 1;
        line.submit(append(log, "1"));
        assertEquals(0, s.workers());
        line.submit(append(log, "2"));
        assertEquals(1, s.workers(), "the next submit starts a worker");
        ex.runAll();
        assertEquals(List.of("1", "2"), log);
        assertEquals(0, s.workers());
    }

    @Test
    void aRejectedWorkerWhileOthersRunIsCoveredByTheRunningOnes() {
        ManualExecutor ex = new ManualExecutor();
        DeliveryScheduler<String> s = new DeliveryScheduler<>(ex, 2, 1);
        List<String> log = new ArrayList<>();
        s.acquire("a").submit(append(log, "a"));
        ex.rejectNext = 1;
        s.acquire("b").submit(append(log, "b"));
        assertEquals(1, s.workers());
        assertEquals(1, ex.runAll(), "the one accepted worker");
        assertEquals(List.of("a", "b"), log, "it took the line whose own worker was refused");
    }

    @Test
    void invalidSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DeliveryScheduler<>(pool, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new DeliveryScheduler<>(pool, 1, 0));
    }
}
