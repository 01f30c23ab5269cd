package io.usmp.it.ra;

import io.usmp.ra.api.UsmpConnection;
import io.usmp.ra.api.UsmpConnectionFactory;
import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.resource.ResourceException;

/** Sends inside a container-managed transaction; {@code fail} throws a system exception after the send. */
@Stateless
public class RaDownlinkBean {
    @Resource(lookup = "java:/usmp/ConnectionFactory")
    private UsmpConnectionFactory factory;

    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void send(String device, byte[] message, boolean fail) throws ResourceException {
        try (UsmpConnection c = factory.getConnection()) {
            c.send(device, message);
        }
        if (fail) {
            throw new IllegalStateException("rolled back by a system exception after the send");
        }
    }

    /** Several sends in one transaction, through two connection handles. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void sendSequence(String device, int count) throws ResourceException {
        for (int i = 0; i < count; i++) {
            try (UsmpConnection c = factory.getConnection()) {
                c.send(device, ("seq-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }
}
