package io.usmp.it.adapter;

import io.usmp.ra.api.DeviceMessage;
import io.usmp.ra.api.DeviceMessageListener;
import io.usmp.ra.api.DeviceNotConnectedException;
import jakarta.ejb.MessageDriven;

/** Echoes every device message back: bound (by descriptor) to the adapter deployed on its own, as usmp-ra.rar. */
@MessageDriven(name = "StandaloneMdb")
public class StandaloneMdb implements DeviceMessageListener {
    @Override
    public void onMessage(DeviceMessage message) {
        if (message.kind() != DeviceMessage.Kind.MESSAGE) {
            return; // the shared test configuration also delivers session events
        }
        try {
            message.reply(message.payload());
        } catch (DeviceNotConnectedException e) {
            throw new IllegalStateException(e);
        }
    }
}
