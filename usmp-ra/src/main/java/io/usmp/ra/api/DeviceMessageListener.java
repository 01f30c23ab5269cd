package io.usmp.ra.api;

/**
 * The message listener interface of the USMP resource adapter: a message-driven bean implements
 * it to receive what devices send. For one device, calls are strictly ordered: the next message
 * is delivered only after the previous one committed (or went to the dead-letter location).
 * Throwing, or marking the transaction rollback-only, has the message delivered again.
 */
public interface DeviceMessageListener {
    void onMessage(DeviceMessage message);
}
