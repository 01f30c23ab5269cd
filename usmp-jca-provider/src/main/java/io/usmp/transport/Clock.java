package io.usmp.transport;

/**
 * The transports' time base, monotonic milliseconds. An interface so that tests drive timers,
 * handshake deadlines and lockout windows with a fake clock instead of sleeping.
 */
@FunctionalInterface
interface Clock {
    Clock SYSTEM = () -> System.nanoTime() / 1_000_000L;

    long millis();
}
