package io.usmp.it.probe;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The smallest XAResource that the adapter hands to {@code createEndpoint}: it keeps no state and
 * logs every call as {@code xa[<label>].<call>}. The real adapter learns the delivery outcome
 * (commit, or rollback incl. setRollbackOnly) the same way. Public so that the probe MDB can
 * enlist a second one to force a two-phase commit.
 */
public final class RecordingXAResource implements XAResource {

    private final String label;
    private int timeout;

    public RecordingXAResource(String label) {
        this.label = label;
    }

    private void log(String call) {
        ProbeLog.add("xa[" + label + "]." + call);
    }

    @Override
    public void start(Xid xid, int flags) {
        log("start");
    }

    @Override
    public void end(Xid xid, int flags) {
        log("end(" + (flags == TMSUCCESS ? "TMSUCCESS" : flags == TMFAIL ? "TMFAIL" : String.valueOf(flags)) + ")");
    }

    @Override
    public int prepare(Xid xid) {
        log("prepare");
        return XA_OK;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) {
        log("commit(onePhase=" + onePhase + ")");
    }

    @Override
    public void rollback(Xid xid) {
        log("rollback");
    }

    @Override
    public void forget(Xid xid) {
        log("forget");
    }

    @Override
    public Xid[] recover(int flag) {
        return new Xid[0];
    }

    @Override
    public boolean isSameRM(XAResource other) throws XAException {
        return other == this;
    }

    @Override
    public int getTransactionTimeout() {
        return timeout;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        timeout = seconds;
        return true;
    }
}
