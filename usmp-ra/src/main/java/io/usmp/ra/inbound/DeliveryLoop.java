package io.usmp.ra.inbound;

import io.usmp.ServerListener;
import io.usmp.UsmpSession;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.UsmpException;
import io.usmp.ra.api.DeviceMessage;
import io.usmp.ra.api.DeviceMessageListener;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Hands a gateway's events to the MDB: each attempt is one endpoint call with its own transaction
 * outcome; a failed attempt is retried after the backoff, up to the maximum, then the message is
 * written to the dead-letter location. The gateway calls this serially per device on delivery
 * work, and each call returns only when its message was committed or dead-lettered (a dead letter
 * that cannot be written is retried for as long as the activation runs), which is what keeps a
 * device's messages in order.
 */
class DeliveryLoop implements ServerListener {
    private static final System.Logger LOG = System.getLogger(DeliveryLoop.class.getName());
    private static final Method ON_MESSAGE;

    static {
        try {
            ON_MESSAGE = DeviceMessageListener.class.getMethod("onMessage", DeviceMessage.class);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MessageEndpointFactory factory;
    private final UsmpActivationSpec spec;
    private final DeadLetters deadLetters;
    private final Function<DeviceId, Optional<UsmpSession>> sessions;
    /** First and longest pause between attempts to write a dead letter while the location fails. */
    long deadLetterRetryMillis = 100;
    long deadLetterRetryMaxMillis = 5_000;
    final LongAdder delivered = new LongAdder();
    final LongAdder redelivered = new LongAdder();
    final LongAdder deadLettered = new LongAdder();
    /** Committed replies that found no session of their device, or whose write failed. */
    final LongAdder repliesUndeliverable = new LongAdder();
    /** Failed attempts to write a dead letter (each retry counts). */
    final LongAdder deadLetterFailures = new LongAdder();
    /** Messages lost because their dead letter could not be written before the activation stopped. */
    final LongAdder deadLettersLost = new LongAdder();
    /** False from a failed dead-letter write until the next one succeeds. */
    volatile boolean deadLetterWritable = true;
    /** Messages delivered or dead-lettered (session events excluded). */
    final LongAdder messagesFinished = new LongAdder();
    /** Wakes deliveries waiting out a redelivery backoff when the activation stops. */
    private final Object wakeUp = new Object();
    private volatile boolean stopping;

    /**
     * The loop for {@code spec}; {@code sessions} finds a device's current session (replies are sent
     * to it). Only a loop whose activation asks for session events overrides {@code onSession} and
     * {@code onClosed}: for the others the gateway does not queue those calls at all, which spares a
     * delivery job per connect and per disconnect (a fleet reconnecting after a restart is 1 000 of each).
     */
    static DeliveryLoop of(MessageEndpointFactory factory, UsmpActivationSpec spec,
            Function<DeviceId, Optional<UsmpSession>> sessions) {
        return spec.getDeliverSessionEvents() ? new WithSessionEvents(factory, spec, sessions)
                : new DeliveryLoop(factory, spec, sessions);
    }

    /** Delivers session openings and closings to the MDB as well ({@code deliverSessionEvents=true}). */
    private static final class WithSessionEvents extends DeliveryLoop {
        WithSessionEvents(MessageEndpointFactory factory, UsmpActivationSpec spec,
                Function<DeviceId, Optional<UsmpSession>> sessions) {
            super(factory, spec, sessions);
        }

        @Override
        public void onSession(UsmpSession session) {
            deliver(DeviceMessage.Kind.SESSION_OPENED, session, new byte[0], null);
        }

        @Override
        public void onClosed(UsmpSession session, CloseReason reason, UsmpException cause) {
            deliver(DeviceMessage.Kind.SESSION_CLOSED, session, new byte[0], reason.kind());
        }
    }

    private DeliveryLoop(MessageEndpointFactory factory, UsmpActivationSpec spec, Function<DeviceId, Optional<UsmpSession>> sessions) {
        this.factory = factory;
        this.spec = spec;
        this.sessions = sessions;
        this.deadLetters = new DeadLetters(spec.deadLetterPath());
    }

    DeadLetters deadLetters() {
        return deadLetters;
    }

    Path deadLetterDirectory() {
        return deadLetters.directory();
    }

    /** From now on no new attempt starts: what is left is dead-lettered at once. */
    void stop() {
        synchronized (wakeUp) {
            stopping = true;
            wakeUp.notifyAll();
        }
    }

    @Override
    public void onMessage(UsmpSession session, byte[] payload) {
        deliver(DeviceMessage.Kind.MESSAGE, session, payload, null);
    }

    /** Returns only when the event was committed, dead-lettered or (a session event) given up. */
    final void deliver(DeviceMessage.Kind kind, UsmpSession session, byte[] payload, String closeReason) {
        Instant receivedAt = Instant.now();
        try {
            String lastFailure = "not attempted: activation stopping";
            int attempts = 0;
            boolean transacted = transacted();
            while (attempts < spec.getMaxDeliveryAttempts() && !stopping) {
                attempts++;
                Delivery d = new Delivery(kind, session, payload, receivedAt, closeReason, attempts, sessions,
                        repliesUndeliverable);
                String failure = attempt(d, transacted);
                if (failure == null) {
                    delivered.increment();
                    return;
                }
                lastFailure = failure;
                LOG.log(Level.WARNING, "delivery to MDB failed device={0} attempt={1}/{2}: {3}", session.deviceId(), attempts,
                        spec.getMaxDeliveryAttempts(), failure);
                if (attempts < spec.getMaxDeliveryAttempts()) {
                    redelivered.increment();
                    backoff(spec.getRedeliveryBackoffMillis());
                }
            }
            if (kind == DeviceMessage.Kind.MESSAGE) {
                deadLetter(session, receivedAt, attempts, lastFailure, payload);
            } else {
                // A session event is a notification, not device data: nothing to keep.
                LOG.log(Level.INFO, "{0} of device {1} not delivered: {2}", kind, session.deviceId(), lastFailure);
            }
        } finally {
            if (kind == DeviceMessage.Kind.MESSAGE) {
                messagesFinished.increment();
            }
        }
    }

    private boolean transacted() {
        try {
            return factory.isDeliveryTransacted(ON_MESSAGE);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("the MDB does not implement DeviceMessageListener", e);
        }
    }

    /** One delivery attempt; null on success, else what went wrong. */
    private String attempt(Delivery d, boolean transacted) {
        DeliveryOutcome outcome = new DeliveryOutcome();
        if (transacted) {
            outcome.onCommit(d::sendReplies);
        }
        MessageEndpoint endpoint;
        try {
            endpoint = createEndpoint(transacted ? outcome : null);
        } catch (ResourceException e) {
            return "no endpoint: " + e.getMessage();
        }
        Throwable failure = null;
        try {
            endpoint.beforeDelivery(ON_MESSAGE);
            try {
                ((DeviceMessageListener) endpoint).onMessage(d);
            } catch (Throwable t) {
                failure = t;
            } finally {
                endpoint.afterDelivery();
            }
        } catch (ResourceException | NoSuchMethodException | RuntimeException e) {
            failure = failure == null ? e : failure;
        } finally {
            endpoint.release();
        }
        if (failure != null) {
            return failure.getClass().getName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        }
        if (outcome.state() == DeliveryOutcome.State.ROLLED_BACK) {
            return "transaction rolled back";
        }
        if (!transacted) {
            d.sendReplies();
        }
        return null;
    }

    /** Creates an endpoint, waiting out a briefly exhausted MDB pool instead of counting it as an attempt. */
    private MessageEndpoint createEndpoint(DeliveryOutcome xa) throws ResourceException {
        for (int tries = 0; ; tries++) {
            try {
                return factory.createEndpoint(xa, 5_000);
            } catch (UnavailableException e) {
                if (stopping || tries >= 20) {
                    throw e;
                }
                pause(100);
            }
        }
    }

    /**
     * Writes the dead letter, retrying with a bounded backoff for as long as the activation runs:
     * while the location fails, this call does not return, so the device's line stays blocked and,
     * once its queue bound is reached, its socket is no longer read. Once the activation stops (or
     * the delivery thread is interrupted), one more attempt is made; if it fails too, the message
     * is lost: logged with the device id and counted in {@code deadLettersLost}.
     */
    private void deadLetter(UsmpSession session, Instant receivedAt, int attempts, String reason, byte[] payload) {
        long pause = deadLetterRetryMillis;
        boolean lastTry = stopping;
        boolean interrupted = false;
        try {
            for (int tries = 1; ; tries++) {
                try {
                    Path file = deadLetters.write(session.deviceId().toHex(), session.sessionIdHex(),
                            String.valueOf(session.remoteAddress()), receivedAt, attempts, reason, payload);
                    deadLettered.increment();
                    if (!deadLetterWritable) {
                        deadLetterWritable = true;
                        LOG.log(Level.INFO, "dead-letter location {0} is writable again", deadLetters.directory());
                    }
                    LOG.log(Level.WARNING, "message from device {0} dead-lettered after {1} attempts: {2}", session.deviceId(),
                            attempts, file.getFileName());
                    return;
                } catch (IOException | RuntimeException e) {
                    deadLetterFailures.increment();
                    deadLetterWritable = false;
                    if (lastTry) {
                        deadLettersLost.increment();
                        LOG.log(Level.ERROR, "message from device {0} LOST: its dead letter cannot be written to {1} and the "
                                + "activation is stopping ({2} tries, last error: {3})", session.deviceId(),
                                deadLetters.directory(), tries, e.toString());
                        return;
                    }
                    if (tries == 1 || Long.bitCount(tries) == 1) {
                        LOG.log(Level.ERROR, "cannot write dead letter for device {0} to {1} (try {2}): {3}; the device''s "
                                + "deliveries wait until the location is writable", session.deviceId(), deadLetters.directory(),
                                tries, e.toString());
                    }
                    boolean slept = !stopping && backoff(pause);
                    if (!slept || stopping) {
                        lastTry = true;
                        // An interrupt would fail the last try itself (interruptible file channels).
                        interrupted |= Thread.interrupted();
                    }
                    pause = Math.min(pause * 2, deadLetterRetryMaxMillis);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits before a retry; returns early when the activation stops; false when interrupted. */
    private boolean backoff(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (wakeUp) {
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                try {
                    wakeUp.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !Thread.currentThread().isInterrupted();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
