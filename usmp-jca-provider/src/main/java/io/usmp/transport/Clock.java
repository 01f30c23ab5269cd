package io.usmp.transport;

/** The engines' time base: monotonic milliseconds. */
final class Clock {
    private Clock() {
    }

    static long now() {
        return System.nanoTime() / 1_000_000L;
    }
}
