package io.usmp.ra;

import jakarta.resource.spi.work.HintsContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkContext;
import jakarta.resource.spi.work.WorkContextProvider;
import java.util.List;

/** A Runnable as container Work; long-running ones (event loops) say so through a hint. */
final class ContainerWork implements Work, WorkContextProvider {
    private static final long serialVersionUID = 1L;

    private final transient Runnable task;
    private final boolean longRunning;
    private final String name;

    ContainerWork(Runnable task, boolean longRunning, String name) {
        this.task = task;
        this.longRunning = longRunning;
        this.name = name;
    }

    @Override
    public void run() {
        task.run();
    }

    /** Event loops end when the transport closes; deliveries finish their current attempt. */
    @Override
    public void release() {
    }

    @Override
    public List<WorkContext> getWorkContexts() {
        HintsContext hints = new HintsContext();
        hints.setName(name);
        hints.setHint(HintsContext.LONGRUNNING_HINT, longRunning);
        return List.of(hints);
    }
}
