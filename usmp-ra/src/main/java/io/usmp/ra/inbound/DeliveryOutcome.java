package io.usmp.ra.inbound;

import java.util.ArrayList;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Handed to {@code createEndpoint} so the container enlists it in the delivery's transaction: the
 * adapter learns the real outcome, rollback-only without an exception included, and sends held
 * replies only on commit. It holds no state worth recovering.
 */
final class DeliveryOutcome implements XAResource {
    enum State { NONE, COMMITTED, ROLLED_BACK }

    private volatile State state = State.NONE;
    private final List<Runnable> onCommit = new ArrayList<>();

    State state() {
        return state;
    }

    synchronized void onCommit(Runnable action) {
        onCommit.add(action);
    }

    @Override
    public void commit(Xid xid, boolean onePhase) {
        state = State.COMMITTED;
        List<Runnable> actions;
        synchronized (this) {
            actions = List.copyOf(onCommit);
            onCommit.clear();
        }
        actions.forEach(Runnable::run);
    }

    @Override
    public void rollback(Xid xid) {
        state = State.ROLLED_BACK;
        synchronized (this) {
            onCommit.clear();
        }
    }

    @Override
    public int prepare(Xid xid) {
        return XA_OK;
    }

    @Override
    public void start(Xid xid, int flags) {
    }

    @Override
    public void end(Xid xid, int flags) {
    }

    @Override
    public void forget(Xid xid) {
    }

    @Override
    public Xid[] recover(int flag) {
        return new Xid[0];
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) throws XAException {
        return false;
    }
}
