package io.usmp.it.ra;

import io.usmp.ra.api.DeviceMessage;
import io.usmp.ra.api.DeviceMessageListener;
import io.usmp.ra.api.DeviceNotConnectedException;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.MessageDrivenContext;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jboss.ejb3.annotation.ResourceAdapter;

/**
 * "reply-then-fail:x" replies x and then throws; "rollback-always" marks every attempt
 * rollback-only; "reply:x" replies x. Activation properties: generated jboss-ejb3.xml.
 */
@MessageDriven(name = "RaMdb")
@ResourceAdapter(RaGapIT.RESOURCE_ADAPTER)
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class RaMdb implements DeviceMessageListener {
    @EJB
    private RaRecorder recorder;

    @Resource
    private MessageDrivenContext context;

    @Override
    public void onMessage(DeviceMessage message) {
        if (message.kind() != DeviceMessage.Kind.MESSAGE) {
            return;
        }
        byte[] payload = message.payload();
        String text = new String(payload, StandardCharsets.UTF_8);
        recorder.record(message.deviceId(), message.deliveryAttempt(), Base64.getEncoder().encodeToString(payload));
        try {
            if (text.startsWith("reply-then-fail:")) {
                message.reply(text.substring("reply-then-fail:".length()).getBytes(StandardCharsets.UTF_8));
                throw new IllegalStateException("test MDB fails after replying");
            }
            if (text.startsWith("big-reply:")) {
                message.reply(RaPattern.of(Integer.parseInt(text.substring("big-reply:".length()))));
            }
            if (text.startsWith("reply:")) {
                message.reply(text.substring("reply:".length()).getBytes(StandardCharsets.UTF_8));
            }
        } catch (DeviceNotConnectedException e) {
            throw new IllegalStateException(e);
        }
        if (text.equals("rollback-always")) {
            context.setRollbackOnly();
        }
    }
}
