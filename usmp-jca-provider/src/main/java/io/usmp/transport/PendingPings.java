package io.usmp.transport;

import io.usmp.protocol.ConnectionClosedException;
import io.usmp.protocol.UsmpException;
import io.usmp.session.EngineEvent;
import io.usmp.session.UsmpEngine;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The PINGs of {@link SessionChannel#ping()} waiting for their PONG, oldest first: the shared
 * bookkeeping of the TCP and UDP shells. Event loop only.
 */
final class PendingPings {
    private record Waiter(long number, CompletableFuture<Void> answered) {
    }

    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    /** Sends a probe PING through {@code engine}; {@code answered} fails at once if the engine refuses it. */
    void send(UsmpEngine engine, long nowMillis, CompletableFuture<Void> answered) {
        try {
            waiters.add(new Waiter(engine.probe(nowMillis), answered));
        } catch (UsmpException | IllegalStateException e) {
            answered.completeExceptionally(e);
        }
    }

    /** The engine reported PONGs up to {@code event.answered()}. */
    void answered(EngineEvent.Pong event) {
        while (!waiters.isEmpty() && waiters.peek().number() <= event.answered()) {
            waiters.poll().answered().complete(null);
        }
    }

    /** The session ended: no PONG will come. */
    void ended(EngineEvent.Closed event) {
        UsmpException failure = event.cause() != null ? event.cause()
                : new ConnectionClosedException("session closed before the PONG arrived", event.reason());
        for (Waiter w = waiters.poll(); w != null; w = waiters.poll()) {
            w.answered().completeExceptionally(failure);
        }
    }
}
