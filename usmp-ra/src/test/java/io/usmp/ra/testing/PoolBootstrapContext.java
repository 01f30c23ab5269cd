package io.usmp.ra.testing;

import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.XATerminator;
import jakarta.resource.spi.work.ExecutionContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkContext;
import jakarta.resource.spi.work.WorkListener;
import jakarta.resource.spi.work.WorkManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.Timer;
import java.util.concurrent.ExecutorService;

/** A container stand-in for adapter tests: its WorkManager runs work on a thread pool the test owns. */
public final class PoolBootstrapContext implements BootstrapContext {
    private final WorkManager workManager;

    public PoolBootstrapContext(ExecutorService threads) {
        this.workManager = new PoolWorkManager(threads);
    }

    private static final class PoolWorkManager implements WorkManager {
        private final ExecutorService threads;

        PoolWorkManager(ExecutorService threads) {
            this.threads = threads;
        }

        @Override
        public void doWork(Work work) {
            work.run();
        }

        @Override
        public void doWork(Work work, long timeout, ExecutionContext ctx, WorkListener l) {
            work.run();
        }

        @Override
        public long startWork(Work work) {
            threads.execute(work);
            return 0;
        }

        @Override
        public long startWork(Work work, long timeout, ExecutionContext ctx, WorkListener l) {
            threads.execute(work);
            return 0;
        }

        @Override
        public void scheduleWork(Work work) {
            threads.execute(work);
        }

        @Override
        public void scheduleWork(Work work, long timeout, ExecutionContext ctx, WorkListener l) {
            threads.execute(work);
        }
    }

    @Override
    public WorkManager getWorkManager() {
        return workManager;
    }

    @Override
    public XATerminator getXATerminator() {
        return null;
    }

    @Override
    public Timer createTimer() throws UnavailableException {
        throw new UnavailableException("no timers here");
    }

    @Override
    public boolean isContextSupported(Class<? extends WorkContext> type) {
        return false;
    }

    @Override
    public TransactionSynchronizationRegistry getTransactionSynchronizationRegistry() {
        return null;
    }
}
