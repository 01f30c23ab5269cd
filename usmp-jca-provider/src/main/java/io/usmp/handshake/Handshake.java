package io.usmp.handshake;

import io.usmp.protocol.AuthException;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.HandshakeException;
import io.usmp.protocol.UsmpException;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.crypto.UsmpKeyAgreementSpec;
import io.usmp.crypto.X25519Keys;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * One side of the four-message handshake of SPEC §3, without I/O: frames in, reply frames out.
 * Holds the PSK copy and the ephemeral private key until {@link #destroy()} (called by the engine
 * on success and on failure alike).
 */
public abstract sealed class Handshake permits ClientHandshake, ServerHandshake {
    static final int NONCE_LENGTH = 32;
    static final int SESSION_ID_LENGTH = 16;
    static final int MAC_LENGTH = 32;

    final UsmpCrypto crypto;
    byte[] psk;
    KeyPair ephemeral;
    /** {@code k_c2s ‖ k_s2c}, held from key agreement until the ciphers are built. */
    private byte[] keyMaterial;
    SessionSecrets result;

    Handshake(UsmpCrypto crypto) {
        this.crypto = crypto;
    }

    /** The first frame this side sends (HELLO for a client), or {@code null} (a server waits). */
    public abstract Frame start() throws UsmpException;

    /** Processes one handshake frame and returns the reply, or {@code null} when there is none. */
    public abstract Frame receive(Frame frame) throws UsmpException;

    /** The secrets once the handshake completed, else {@code null}. */
    public SessionSecrets result() {
        return result;
    }

    /** Wipes the PSK copy and the key material and drops the ephemeral key. */
    public void destroy() {
        if (psk != null) {
            Arrays.fill(psk, (byte) 0);
            psk = null;
        }
        if (keyMaterial != null) {
            Arrays.fill(keyMaterial, (byte) 0);
            keyMaterial = null;
        }
        ephemeral = null;
    }

    static void expect(Frame frame, PacketType type, int length) throws HandshakeException {
        if (frame.type() != type) {
            throw new HandshakeException("expected " + type + ", got " + frame.type());
        }
        if (frame.length() != length) {
            throw new HandshakeException(type + " must be " + length + " bytes, got " + frame.length());
        }
    }

    static Frame frame(PacketType type, byte[]... parts) throws UsmpException {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] payload = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, payload, off, p.length);
            off += p.length;
        }
        return Frame.of(type, 0, payload);
    }

    static byte[] slice(Frame f, int from, int len) {
        byte[] out = new byte[len];
        f.copyPayload(from, out, 0, len);
        return out;
    }

    byte[] ownPublic() {
        return X25519Keys.rawPublic(ephemeral.getPublic());
    }

    /** {@code HMAC(PSK, magic ‖ version ‖ type ‖ nonce ‖ middle ‖ pub_C ‖ pub_S)}, the transcript MAC. */
    byte[] transcriptMac(PacketType carrier, byte[] nonce, byte[] middle, byte[] pubC, byte[] pubS) throws UsmpException {
        return crypto.hmacSha256(psk, Frame.prefix(carrier), nonce, middle, pubC, pubS);
    }

    static void verifyMac(byte[] expected, byte[] received, String what) throws AuthException {
        if (!MessageDigest.isEqual(expected, received)) {
            throw new AuthException(what + " MAC mismatch");
        }
    }

    /** X25519 with the peer's key, then HKDF: refuses a bad peer key or an all-zero shared secret. */
    void agree(byte[] peerPublic, UsmpKeyAgreementSpec spec) throws UsmpException {
        keyMaterial = crypto.deriveSessionKeys(ephemeral.getPrivate(), peerPublic, spec);
        ephemeral = null;
    }

    /** Builds one cipher per direction from the agreed key material, then wipes that material. */
    SessionSecrets secrets(DeviceId device, byte[] sessionId, boolean client) throws UsmpException {
        try {
            FrameCipher c2s = FrameCipher.create(crypto, keyMaterial, 0, sessionId);
            FrameCipher s2c = FrameCipher.create(crypto, keyMaterial, 32, sessionId);
            return client ? new SessionSecrets(device, sessionId, c2s, s2c) : new SessionSecrets(device, sessionId, s2c, c2s);
        } finally {
            Arrays.fill(keyMaterial, (byte) 0);
            keyMaterial = null;
        }
    }
}
