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
    @Resource(lookup = "java:/usmp/ConnectionFactory")
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
}
