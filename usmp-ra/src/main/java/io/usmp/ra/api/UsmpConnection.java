package io.usmp.ra.api;

import jakarta.resource.ResourceException;
import java.util.Set;

/**
 * Sends messages to devices connected to any activation of the adapter. Inside a JTA transaction
 * messages are held and sent, in order, when it commits; a rollback drops them. Outside one they
 * are sent at once. Close it when done (try-with-resources) so the pool gets it back.
 */
public interface UsmpConnection extends AutoCloseable {
    /**
     * Sends one message (at most 1808 bytes) to a device.
     *
     * @param deviceId 12 hex digits
     * @throws DeviceNotConnectedException the device has no open session now
     * @throws IllegalArgumentException    bad device id or message over 1808 bytes
     */
    void send(String deviceId, byte[] message) throws ResourceException;

    /** Device ids (hex) with an open session right now. */
    Set<String> connectedDevices() throws ResourceException;

    @Override
    void close() throws ResourceException;
}
