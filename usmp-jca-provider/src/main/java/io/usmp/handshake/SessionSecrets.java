package io.usmp.handshake;

import io.usmp.protocol.DeviceId;

/**
 * What a completed handshake hands to the session: who the peer is, the session id and one cipher
 * per direction. The session owns the ciphers and destroys them when it ends.
 */
public record SessionSecrets(DeviceId deviceId, byte[] sessionId, FrameCipher sender, FrameCipher receiver) {
    public SessionSecrets {
        sessionId = sessionId.clone();
    }

    @Override
    public byte[] sessionId() {
        return sessionId.clone();
    }

    public void destroy() {
        sender.destroy();
        receiver.destroy();
    }

    @Override
    public String toString() {
        return "SessionSecrets[device=" + deviceId + "]";
    }
}
