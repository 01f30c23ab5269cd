package io.usmp.handshake;

import io.usmp.protocol.AuthException;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.HandshakeException;
import io.usmp.protocol.Limits;
import io.usmp.protocol.PskResolver;
import io.usmp.protocol.UsmpException;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.crypto.UsmpKeyAgreementSpec;
import io.usmp.wire.Datagrams;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.security.SecureRandom;

/** The gateway side: CHALLENGE on HELLO (after resolving the PSK), SESSION_OK on a valid HELLO_ACK. */
public final class ServerHandshake extends Handshake {
    /** HELLO over TCP: {@code device_id(6) ‖ pub_C(32)}. */
    public static final int HELLO_LENGTH = DeviceId.LENGTH + 32;
    /** HELLO over UDP after a HELLO_RETRY: {@code device_id(6) ‖ pub_C(32) ‖ cookie(16)}. */
    public static final int HELLO_WITH_COOKIE_LENGTH = HELLO_LENGTH + Datagrams.COOKIE_LENGTH;

    private final PskResolver psks;
    private final SecureRandom random;
    private final KeyPairSource keys;
    private final boolean datagram;
    private DeviceId device;
    private byte[] pubC;
    private byte[] pubS;
    private byte[] nonce;

    public ServerHandshake(UsmpCrypto crypto, PskResolver psks, SecureRandom random, KeyPairSource keys) {
        this(crypto, psks, random, keys, false);
    }

    /**
     * With {@code datagram}, a HELLO may also carry a cookie (54 bytes, SPEC §2/§5); the transport
     * has verified it before the HELLO reaches this handshake, which ignores it.
     */
    public ServerHandshake(UsmpCrypto crypto, PskResolver psks, SecureRandom random, KeyPairSource keys, boolean datagram) {
        super(crypto);
        this.psks = psks;
        this.random = random;
        this.keys = keys;
        this.datagram = datagram;
    }

    @Override
    public Frame start() {
        return null;
    }

    /** The device id once HELLO was read (for logs of a failed handshake), else {@code null}. */
    public DeviceId device() {
        return device;
    }

    @Override
    public Frame receive(Frame frame) throws UsmpException {
        if (device == null) {
            expect(frame, PacketType.HELLO, datagram && frame.length() == HELLO_WITH_COOKIE_LENGTH
                    ? HELLO_WITH_COOKIE_LENGTH : HELLO_LENGTH);
            device = DeviceId.of(slice(frame, 0, DeviceId.LENGTH));
            pubC = slice(frame, DeviceId.LENGTH, 32);
            psk = psks.resolve(device);
            if (psk == null) {
                throw new AuthException("unknown device " + device);
            }
            if (!Limits.isUsablePsk(psk)) {
                throw new AuthException("PSK of device " + device + " is shorter than " + Limits.MIN_PSK_LENGTH + " bytes");
            }
            ephemeral = keys.next();
            pubS = ownPublic();
            nonce = new byte[NONCE_LENGTH];
            random.nextBytes(nonce);
            // Agree now so a small-order client key fails before we answer (fail fast, SPEC §3/§7);
            // the agreed keys are used only after hmac_client verifies.
            agree(pubC, new UsmpKeyAgreementSpec(nonce, pubC, pubS));
            return frame(PacketType.CHALLENGE, nonce, pubS);
        }
        if (result != null) {
            throw new HandshakeException("handshake already complete");
        }
        expect(frame, PacketType.HELLO_ACK, MAC_LENGTH);
        verifyMac(transcriptMac(PacketType.HELLO_ACK, nonce, device.toBytes(), pubC, pubS), frame.payload(), "client");
        byte[] sessionId = new byte[SESSION_ID_LENGTH];
        random.nextBytes(sessionId);
        byte[] mac = transcriptMac(PacketType.SESSION_OK, nonce, sessionId, pubC, pubS);
        result = secrets(device, sessionId, false);
        return frame(PacketType.SESSION_OK, sessionId, mac);
    }
}
