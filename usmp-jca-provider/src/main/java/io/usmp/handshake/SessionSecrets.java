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

    /** Drops both directions' keyed AES-GCM objects while the session is idle; the keys stay. */
    public void release() {
        sender.release();
        receiver.release();
    }

    public boolean holdsCiphers() {
        return sender.holdsCipher() || receiver.holdsCipher();
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
