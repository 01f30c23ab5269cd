package io.usmp.transport;

import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.ServerListener;
import io.usmp.protocol.UsmpException;
import io.usmp.UsmpSession;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.opentest4j.AssertionFailedError;

/** A ServerListener that records everything, optionally echoes, for loopback tests. */
final class Recorder implements ServerListener {
    record Message(UsmpSession session, byte[] payload) {
    }

    record Closed(UsmpSession session, CloseReason reason, UsmpException cause) {
    }

    record Failed(InetSocketAddress remote, DeviceId device, UsmpException cause) {
    }

    final LinkedBlockingQueue<UsmpSession> sessions = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Closed> closed = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<Failed> failed = new LinkedBlockingQueue<>();
    /** "session", "failed", "closed" in the order the listener saw them. */
    private final List<String> order = new ArrayList<>();
    private final boolean echo;

    Recorder(boolean echo) {
        this.echo = echo;
    }

    synchronized List<String> order() {
        return List.copyOf(order);
    }

    private synchronized void note(String what) {
        order.add(what);
    }

    @Override
    public void onSession(UsmpSession session) {
        note("session");
        sessions.add(session);
    }

    @Override
    public void onMessage(UsmpSession session, byte[] payload) {
        messages.add(new Message(session, payload));
        if (echo) {
            try {
                session.send(payload).toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the test sees the missing echo
            }
        }
    }

    @Override
    public void onClosed(UsmpSession session, CloseReason reason, UsmpException cause) {
        note("closed");
        closed.add(new Closed(session, reason, cause));
    }

    @Override
    public void onHandshakeFailed(InetSocketAddress remote, DeviceId device, UsmpException cause) {
        note("failed");
        failed.add(new Failed(remote, device, cause));
    }

    static <T> T next(LinkedBlockingQueue<T> q, Duration timeout, String what) throws InterruptedException {
        T t = q.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (t == null) {
            throw new AssertionFailedError("no " + what + " within " + timeout.toMillis() + " ms");
        }
        return t;
    }

    UsmpSession nextSession() throws InterruptedException {
        return next(sessions, Loopback.WAIT, "onSession");
    }

    Message nextMessage() throws InterruptedException {
        return next(messages, Loopback.WAIT, "onMessage");
    }

    Closed nextClosed() throws InterruptedException {
        return next(closed, Loopback.WAIT, "onClosed");
    }

    Failed nextFailed() throws InterruptedException {
        return next(failed, Loopback.WAIT, "onHandshakeFailed");
    }
}
