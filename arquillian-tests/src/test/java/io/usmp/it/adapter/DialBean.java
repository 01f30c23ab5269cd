package io.usmp.it.adapter;

import io.usmp.ra.api.UsmpDialConnection;
import io.usmp.ra.api.UsmpDialConnectionFactory;
import jakarta.annotation.Resource;
import jakarta.ejb.Asynchronous;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.resource.ResourceException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Dials the test's gateways through the pooled dial-out factories; each method takes the JNDI name of
 * the factory to use (where {@link Server#dialFactoryJndi} bound it on the server under test).
 */
@Stateless
public class DialBean {
    @Resource
    private SessionContext context;

    private static UsmpDialConnectionFactory factory(String jndi) throws NamingException {
        return InitialContext.doLookup(jndi);
    }

    /** Sends every message in one container-managed transaction that commits or rolls back. */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void sendAll(String factory, List<String> messages, boolean rollback) throws ResourceException, NamingException {
        try (UsmpDialConnection c = factory(factory).getConnection()) {
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
    public void sendThenFail(String factory, String message) throws ResourceException, NamingException {
        sendAll(factory, List.of(message), false);
        throw new IllegalStateException("rolled back by a system exception after the send");
    }

    /** {@code n} getConnection()/send/close() cycles outside a transaction: each returns the session to the pool. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void cycles(String factory, int n) throws ResourceException, NamingException {
        UsmpDialConnectionFactory f = factory(factory);
        for (int i = 0; i < n; i++) {
            try (UsmpDialConnection c = f.getConnection()) {
                c.send(("cycle-" + i).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String send(String factory, String message) throws ResourceException, NamingException {
        try (UsmpDialConnection c = factory(factory).getConnection()) {
            c.send(message.getBytes(StandardCharsets.UTF_8));
        }
        return "ok";
    }

    /** Sends {@code first}, waits {@code pauseMillis} holding the handle, then sends {@code second}. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public String sendPauseSend(String factory, String first, long pauseMillis, String second)
            throws ResourceException, InterruptedException, NamingException {
        try (UsmpDialConnection c = factory(factory).getConnection()) {
            c.send(first.getBytes(StandardCharsets.UTF_8));
            Thread.sleep(pauseMillis);
            c.send(second.getBytes(StandardCharsets.UTF_8));
        }
        return "ok";
    }

    /** A request, inside a transaction (a request with nothing held goes out at once). */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public String request(String factory, String message) throws ResourceException, NamingException {
        try (UsmpDialConnection c = factory(factory).getConnection()) {
            return new String(c.request(message.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)), StandardCharsets.UTF_8);
        }
    }

    /**
     * {@code messages.size()} requests at the same time, each on its own container thread (EJB
     * asynchronous calls, not threads of ours) and so on its own handle; the replies in order.
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public List<String> concurrentRequests(String factory, List<String> messages)
            throws ResourceException, NamingException, InterruptedException {
        DialBean self = context.getBusinessObject(DialBean.class);
        // Looked up here, on the request's thread: on Payara a java:app look-up from the asynchronous
        // calls' threads failed once (NameNotFoundException for 9 of 10), which is not what this tests.
        UsmpDialConnectionFactory target = factory(factory);
        List<Future<String>> pending = new ArrayList<>();
        for (String m : messages) {
            pending.add(self.requestAsync(target, m));
        }
        List<String> replies = new ArrayList<>();
        for (Future<String> f : pending) {
            try {
                replies.add(f.get());
            } catch (ExecutionException e) {
                replies.add("error " + e.getCause());
            }
        }
        return replies;
    }

    @Asynchronous
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public Future<String> requestAsync(UsmpDialConnectionFactory factory, String message) throws ResourceException {
        try (UsmpDialConnection c = factory.getConnection()) {
            return CompletableFuture.completedFuture(
                    new String(c.request(message.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20)), StandardCharsets.UTF_8));
        }
    }
}
