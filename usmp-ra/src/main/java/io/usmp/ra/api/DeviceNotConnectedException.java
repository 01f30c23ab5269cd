package io.usmp.ra.api;

import jakarta.resource.ResourceException;

/** The addressed device has no open session on any activation of this adapter. */
public class DeviceNotConnectedException extends ResourceException {
    private static final long serialVersionUID = 1L;

    public DeviceNotConnectedException(String deviceId) {
        super("device " + deviceId + " is not connected");
    }
}
