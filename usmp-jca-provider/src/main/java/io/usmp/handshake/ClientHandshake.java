package io.usmp.handshake;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.HandshakeException;
import io.usmp.protocol.UsmpException;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.crypto.UsmpKeyAgreementSpec;
import io.usmp.wire.Datagrams;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;

/** The device side: HELLO, then HELLO_ACK on CHALLENGE, then checks SESSION_OK (a rogue gateway fails here). */
public final class ClientHandshake extends Handshake {
    private final DeviceId device;
    private final KeyPairSource keys;
    private final boolean datagram;
    private boolean retried;
    private byte[] pubC;
    private byte[] nonce;
    private byte[] pubS;

    /** {@code psk} is copied; the copy is wiped by {@link #destroy()}. */
    public ClientHandshake(UsmpCrypto crypto, DeviceId device, byte[] psk, KeyPairSource keys) {
        this(crypto, device, psk, keys, false);
    }

    /** With {@code datagram}, one HELLO_RETRY is answered with HELLO carrying its cookie (SPEC §5). */
    public ClientHandshake(UsmpCrypto crypto, DeviceId device, byte[] psk, KeyPairSource keys, boolean datagram) {
        super(crypto);
        this.device = device;
        this.psk = psk.clone();
        this.keys = keys;
        this.datagram = datagram;
    }

    @Override
    public Frame start() throws UsmpException {
        ephemeral = keys.next();
        pubC = ownPublic();
        return frame(PacketType.HELLO, device.toBytes(), pubC);
    }

    @Override
    public Frame receive(Frame frame) throws UsmpException {
        if (pubC == null) {
            throw new IllegalStateException("start() first");
        }
        if (nonce == null && datagram && !retried && frame.type() == PacketType.HELLO_RETRY) {
            expect(frame, PacketType.HELLO_RETRY, Datagrams.COOKIE_LENGTH);
            retried = true;
            return frame(PacketType.HELLO, device.toBytes(), pubC, frame.payload());
        }
        if (nonce == null) {
            expect(frame, PacketType.CHALLENGE, 64);
            nonce = slice(frame, 0, NONCE_LENGTH);
            pubS = slice(frame, NONCE_LENGTH, 32);
            // Agree now so a small-order server key fails before we answer; the server's MAC can
            // only be checked on SESSION_OK, which carries the session id it covers.
            agree(pubS, new UsmpKeyAgreementSpec(nonce, pubC, pubS));
            return frame(PacketType.HELLO_ACK, transcriptMac(PacketType.HELLO_ACK, nonce, device.toBytes(), pubC, pubS));
        }
        if (result != null) {
            throw new HandshakeException("handshake already complete");
        }
        expect(frame, PacketType.SESSION_OK, 48);
        byte[] sessionId = slice(frame, 0, SESSION_ID_LENGTH);
        byte[] mac = slice(frame, SESSION_ID_LENGTH, MAC_LENGTH);
        verifyMac(transcriptMac(PacketType.SESSION_OK, nonce, sessionId, pubC, pubS), mac, "server");
        result = secrets(device, sessionId, true);
        return null;
    }
}
