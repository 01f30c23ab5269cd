package io.usmp.it.probe;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * What the probe adapter saw, in order: lifecycle calls, deliveries and every call on the
 * XAResources it passed to {@code createEndpoint}. Lives in the RAR, which every module of the
 * EAR can see, so an in-container test reads it directly; a redeploy gets a fresh class and an
 * empty log.
 */
public final class ProbeLog {

    private static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    private ProbeLog() {
    }

    public static void add(String event) {
        EVENTS.add(event);
    }

    public static List<String> events() {
        return List.copyOf(EVENTS);
    }

    /** Events starting with {@code prefix}, in order. */
    public static List<String> events(String prefix) {
        return EVENTS.stream().filter(e -> e.startsWith(prefix)).toList();
    }

    /** Waits until some event matches, returns all events at that moment. */
    public static List<String> await(Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (EVENTS.stream().anyMatch(condition)) {
                return events();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for an event; saw " + events());
    }
}
