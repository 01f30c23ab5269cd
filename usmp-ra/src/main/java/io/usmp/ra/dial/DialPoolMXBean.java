package io.usmp.ra.dial;

import java.util.List;
import java.util.Map;

/** Statistics of one dial-out connection factory: {@code io.usmp:type=DialPool,name="<host>:<port>"}. */
public interface DialPoolMXBean {
    /** host:port dialed. */
    String getTarget();

    /** Our identities (hex device ids): at most one session each. */
    List<String> getDeviceIds();

    /** Sessions (managed connections) alive: idle in the pool or in use. */
    int getSessionsOpen();

    /** Sessions with an application handle now. */
    int getInUse();

    /** The most handles out at once since the factory was created. */
    int getPeakInUse();

    /** Successful handshakes, i.e. sessions created. */
    long getHandshakes();

    /** Failed connection or handshake attempts. */
    long getHandshakeFailures();

    /** getConnection() calls served (a handle given out), with or without a new handshake. */
    long getHandlesGiven();

    /**
     * Sessions ended, by reason: {@code error:<kind>} (failed in use, e.g. {@code error:peer_bye}),
     * {@code invalid:<kind>} (found dead by pool validation), {@code pool} (ended by the pool:
     * idle timeout, flush, shrink, undeploy).
     */
    Map<String, Long> getEvictions();

    long getEvictionsTotal();

    /** Messages held in a transaction and flushed on commit / dropped on rollback. */
    long getMessagesCommitted();

    long getMessagesRolledBack();
}
