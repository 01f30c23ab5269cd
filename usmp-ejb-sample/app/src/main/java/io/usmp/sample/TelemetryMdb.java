package io.usmp.sample;

import io.usmp.ra.api.DeviceMessage;
import io.usmp.ra.api.DeviceMessageListener;
import io.usmp.ra.api.DeviceNotConnectedException;
import io.usmp.sample.model.Reading;
import io.usmp.sample.payload.CommandAnswer;
import io.usmp.sample.payload.Downlink;
import io.usmp.sample.payload.Telemetry;
import io.usmp.sample.payload.Uplink;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.util.logging.Logger;

/**
 * Receives what devices send and their session events (deliverSessionEvents=true). Everything
 * here happens in the delivery's transaction: the reading, the registry update and the ack commit
 * together. The activation properties (port, PSK keystore…) are in WEB-INF/ejb-jar.xml and
 * WEB-INF/jboss-ejb3.xml so they can use ${...} expressions resolved by the server.
 */
@MessageDriven(name = "TelemetryMdb")
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class TelemetryMdb implements DeviceMessageListener {
    private static final Logger LOG = Logger.getLogger(TelemetryMdb.class.getName());

    @EJB
    private DeviceRegistry registry;

    @EJB
    private ReadingStore readings;

    @EJB
    private CommandService commands;

    @Override
    public void onMessage(DeviceMessage message) {
        String device = message.deviceId();
        switch (message.kind()) {
            case SESSION_OPENED -> registry.sessionOpened(device, message.sessionId(),
                    message.remoteAddress().getHostString() + ":" + message.remoteAddress().getPort(), message.receivedAt());
            case SESSION_CLOSED -> registry.sessionClosed(device, message.sessionId(), message.closeReason(), message.receivedAt());
            // A malformed payload throws MalformedPayloadException: rolled back, retried, dead-lettered.
            case MESSAGE -> received(message, Uplink.decode(message.payload()));
        }
    }

    private void received(DeviceMessage message, Uplink uplink) {
        registry.messageReceived(message.deviceId(), message.receivedAt());
        if (uplink instanceof Telemetry t) {
            Reading r = readings.store(message.deviceId(), message.receivedAt(), t);
            try {
                message.reply(Downlink.ack(r.getId())); // sent only if this transaction commits
            } catch (DeviceNotConnectedException e) {
                LOG.fine(() -> "device " + message.deviceId() + " left before its ack; the reading is kept");
            }
        } else if (uplink instanceof CommandAnswer a) {
            commands.answered(message.deviceId(), a.text(), message.receivedAt());
        }
    }
}
