package io.usmp.it.adapter;

import io.usmp.ra.api.UsmpConnection;
import io.usmp.ra.api.UsmpConnectionFactory;
import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.resource.ResourceException;

/** Sends to a device inside a container-managed transaction that commits or rolls back. */
@Stateless
public class DownlinkBean {
    /** The reference's JNDI name per server comes from ejb-jar.xml ({@link Server#describeEjbs}). */
    static final String FACTORY = "usmp/ConnectionFactory";

    @Resource(name = FACTORY)
    private UsmpConnectionFactory factory;

    @Resource
    private SessionContext context;

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void send(String device, byte[] message, boolean rollback) throws ResourceException {
        try (UsmpConnection c = factory.getConnection()) {
            c.send(device, message);
        }
        if (rollback) {
            context.setRollbackOnly();
        }
    }

    /** Sends, then fails with a system exception, which rolls the transaction back. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void sendThenFail(String device, byte[] message) throws ResourceException {
        send(device, message, false);
        throw new IllegalStateException("rolled back by a system exception after the send");
    }

    /** Several sends in one transaction, each through its own connection handle. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void sendSequence(String device, int count) throws ResourceException {
        for (int i = 0; i < count; i++) {
            send(device, ("seq-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
        }
    }
}
