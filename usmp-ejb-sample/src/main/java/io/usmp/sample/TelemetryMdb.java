package io.usmp.sample;

import io.usmp.ra.api.DeviceMessage;
import io.usmp.ra.api.DeviceMessageListener;
import io.usmp.ra.api.DeviceNotConnectedException;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * Receives telemetry from devices. The activation properties (port, PSK keystore…) are in
 * META-INF/ejb-jar.xml so they can use ${...} expressions resolved by the server. A reading that
 * does not parse throws, so it is redelivered and finally dead-lettered rather than lost.
 */
@MessageDriven(name = "TelemetryMdb")
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class TelemetryMdb implements DeviceMessageListener {
    private static final Logger LOG = Logger.getLogger(TelemetryMdb.class.getName());

    @EJB
    private TelemetryStore store;

    @Override
    public void onMessage(DeviceMessage message) {
        switch (message.kind()) {
            case SESSION_OPENED -> LOG.info(() -> "device " + message.deviceId() + " connected from " + message.remoteAddress());
            case SESSION_CLOSED -> LOG.info(() -> "device " + message.deviceId() + " disconnected: " + message.closeReason());
            case MESSAGE -> {
                Telemetry t = Telemetry.parse(message.deviceId(), message.receivedAt(), message.payload());
                store.record(t);
                try {
                    // Sent only if this transaction commits.
                    message.reply(("ack " + t.values().size()).getBytes(StandardCharsets.UTF_8));
                } catch (DeviceNotConnectedException e) {
                    LOG.fine(() -> "device " + message.deviceId() + " left before its ack");
                }
            }
        }
    }
}
