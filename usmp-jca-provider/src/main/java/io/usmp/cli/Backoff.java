package io.usmp.cli;

import java.time.Duration;

/**
 * Reconnect delays: exponential from {@code base} up to {@code max}, with "equal jitter" (half the
 * step fixed, half random) so a fleet dropped at once does not reconnect in lockstep.
 */
record Backoff(Duration base, Duration max) {
    /**
     * The delay before attempt {@code failures + 1}.
     *
     * @param failures consecutive failures so far (1 after the first)
     * @param random   uniform in [0, 1)
     */
    Duration delay(int failures, double random) {
        long step = max.toMillis();
        if (failures - 1 < 31) {
            step = Math.min(step, base.toMillis() << Math.max(0, failures - 1));
        }
        return Duration.ofMillis(step / 2 + (long) (random * (step - step / 2)));
    }
}
