package io.usmp.transport;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one pending timer of an engine's transport (TCP connection or UDP peer): armed for the
 * engine's next deadline, moved only when that deadline comes earlier. Event loop only.
 */
final class EngineTimer {
    private final Clock clock;
    private final Runnable onFire;
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;

    EngineTimer(Clock clock, Runnable onFire) {
        this.clock = clock;
        this.onFire = onFire;
    }

    /** Arms the timer for {@code at} (an engine deadline; {@link Long#MAX_VALUE} is none) on {@code loop}. */
    void reschedule(EventExecutor loop, long at) {
        if (at == Long.MAX_VALUE || (timer != null && at >= timerAt)) {
            return;
        }
        cancel();
        timerAt = at;
        timer = loop.schedule(this::fire, Math.max(0, at - clock.millis()), TimeUnit.MILLISECONDS);
    }

    private void fire() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        onFire.run();
    }

    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
            timerAt = Long.MAX_VALUE;
        }
    }
}
