package io.usmp.sample;

import io.usmp.ra.api.UsmpConnection;
import io.usmp.ra.api.UsmpConnectionFactory;
import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.resource.ResourceException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Sends commands to devices. The sends join the caller's transaction: they leave when it commits,
 * and never if it rolls back.
 */
@Stateless
public class CommandService {
    @Resource(lookup = "java:/usmp/ConnectionFactory")
    private UsmpConnectionFactory devices;

    public void send(String deviceId, String command) throws ResourceException {
        try (UsmpConnection c = devices.getConnection()) {
            c.send(deviceId, command.getBytes(StandardCharsets.UTF_8));
        }
    }

    public Set<String> connectedDevices() throws ResourceException {
        try (UsmpConnection c = devices.getConnection()) {
            return c.connectedDevices();
        }
    }
}
