package io.usmp.it.adapter;

import io.usmp.ra.api.UsmpDialConnection;
import io.usmp.ra.api.UsmpDialConnectionFactory;
import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.resource.ResourceException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Dials the test's gateway through the pooled dial-out factories. */
@Stateless
public class DialBean {
    @Resource(lookup = "java:/usmp/DialConnectionFactory")
    private UsmpDialConnectionFactory dial;

    @Resource(lookup = "java:/usmp/it/DialValidated")
    private UsmpDialConnectionFactory validated;

    @Resource
    private SessionContext context;

    private UsmpDialConnectionFactory factory(boolean useValidated) {
        return useValidated ? validated : dial;
    }

    /** Sends every message in one container-managed transaction that commits or rolls back. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void sendAll(List<String> messages, boolean rollback) throws ResourceException {
        try (UsmpDialConnection c = dial.getConnection()) {
            for (String m : messages) {
                c.send(m.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (rollback) {
            context.setRollbackOnly();
        }
    }

    /** Sends, then fails with a system exception, which rolls the transaction back. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void sendThenFail(String message) throws ResourceException {
        sendAll(List.of(message), false);
        throw new IllegalStateException("rolled back by a system exception after the send");
    }

    /** {@code n} getConnection()/send/close() cycles outside a transaction: each returns the session to the pool. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void cycles(int n) throws ResourceException {
        for (int i = 0; i < n; i++) {
            try (UsmpDialConnection c = dial.getConnection()) {
                c.send(("cycle-" + i).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String send(String message, boolean useValidated) throws ResourceException {
        try (UsmpDialConnection c = factory(useValidated).getConnection()) {
            c.send(message.getBytes(StandardCharsets.UTF_8));
        }
        return "ok";
    }

    /** Sends {@code first}, waits {@code pauseMillis} holding the handle, then sends {@code second}. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String sendPauseSend(String first, long pauseMillis, String second) throws ResourceException, InterruptedException {
        try (UsmpDialConnection c = dial.getConnection()) {
            c.send(first.getBytes(StandardCharsets.UTF_8));
            Thread.sleep(pauseMillis);
            c.send(second.getBytes(StandardCharsets.UTF_8));
        }
        return "ok";
    }

    /** A request, inside a transaction (a request with nothing held goes out at once). */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public String request(String message, boolean useValidated) throws ResourceException {
        try (UsmpDialConnection c = factory(useValidated).getConnection()) {
            return new String(c.request(message.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)), StandardCharsets.UTF_8);
        }
    }
}
