package io.usmp.it.adapter;

import io.usmp.ra.api.DeviceMessage;
import io.usmp.ra.api.DeviceMessageListener;
import io.usmp.ra.api.DeviceNotConnectedException;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.MessageDrivenContext;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;

/**
 * Records every delivery; payloads starting with "fail" throw, "rollback-once" marks the first
 * attempt rollback-only without throwing and "rollback-always" every attempt, "reply:x" replies x,
 * "reply-then-fail:x" replies x and then throws, "note:PATH|ID" appends ID to a file, "big-reply:n" replies n bytes of {@link BytePattern},
 * "flaky:x" throws on the first attempt and replies x on later ones, "gate:…" waits while the
 * {@link Gate} is closed. The adapter binding and the activation properties come from
 * descriptors generated per server (they hold paths known only at test time), see {@link Server#describeEjbs}.
 */
@MessageDriven(name = "TestMdb")
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class TestMdb implements DeviceMessageListener {
    @EJB
    private Recorder recorder;

    @Resource
    private MessageDrivenContext context;

    @Resource
    private TransactionSynchronizationRegistry transactions;

    @Override
    public void onMessage(DeviceMessage message) {
        if (message.kind() != DeviceMessage.Kind.MESSAGE) {
            recorder.recordEvent(message.deviceId(), message.kind() + (message.closeReason() == null ? "" : ":" + message.closeReason()));
            return;
        }
        byte[] payload = message.payload();
        String text = new String(payload, StandardCharsets.UTF_8);
        recorder.record(message.deviceId(), message.deliveryAttempt(), Base64.getEncoder().encodeToString(payload));
        if (text.startsWith("gate:")) {
            Gate.pass();
        }
        if (text.startsWith("note:")) {
            String pathAndId = text.substring("note:".length());
            // Only a committed delivery counts as delivered: the note is written after the commit.
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        note(pathAndId);
                    }
                }
            });
            pause(2); // a little slower than the device, so a backlog forms
        }
        if (text.startsWith("flaky:")) {
            if (message.deliveryAttempt() == 1) {
                throw new IllegalStateException("test MDB fails the first attempt of " + text);
            }
            reply(message, text.substring("flaky:".length()).getBytes(StandardCharsets.UTF_8));
        }
        if (text.startsWith("reply-then-fail:")) {
            reply(message, text.substring("reply-then-fail:".length()).getBytes(StandardCharsets.UTF_8));
            throw new IllegalStateException("test MDB fails after replying");
        }
        if (text.startsWith("big-reply:")) {
            reply(message, BytePattern.of(Integer.parseInt(text.substring("big-reply:".length()))));
        }
        if (text.equals("rollback-always")) {
            context.setRollbackOnly();
        }
        if (text.startsWith("fail")) {
            throw new IllegalStateException("test MDB refuses " + text);
        }
        if (text.equals("rollback-once") && message.deliveryAttempt() == 1) {
            context.setRollbackOnly();
            return;
        }
        if (text.startsWith("reply:")) {
            reply(message, text.substring("reply:".length()).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** "note:PATH|ID" appends ID to the file PATH, which outlives the deployment (a test reads it after undeploy). */
    private static synchronized void note(String pathAndId) {
        int bar = pathAndId.indexOf('|');
        try {
            Files.writeString(Path.of(pathAndId.substring(0, bar)), pathAndId.substring(bar + 1) + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void reply(DeviceMessage message, byte[] reply) {
        try {
            message.reply(reply);
        } catch (DeviceNotConnectedException e) {
            throw new IllegalStateException(e);
        }
    }
}
