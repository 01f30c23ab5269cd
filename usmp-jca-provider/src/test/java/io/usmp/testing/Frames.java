package io.usmp.testing;

import io.usmp.crypto.UsmpCipherSpec;
import io.usmp.wire.Crc16;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;

/** Helpers for crafting frames on the wire in tests. */
public final class Frames {
    private Frames() {
    }

    /** Recomputes the CRC of an encoded frame in place, so a tampered frame is not caught as a CRC error. */
    public static byte[] withCrc(byte[] frame) {
        int crc = Crc16.update(Crc16.update(Crc16.INIT, frame, 0, Frame.AAD_LENGTH), frame, Frame.HEADER_LENGTH,
                frame.length - Frame.HEADER_LENGTH);
        frame[10] = (byte) crc;
        frame[11] = (byte) (crc >>> 8);
        return frame;
    }

    /** Cipher "USMP" parameters for a session payload of {@code payloadLength} bytes, laid out as the wire does. */
    public static UsmpCipherSpec cipherSpec(byte[] sessionId, PacketType type, long seq, int payloadLength) {
        return new UsmpCipherSpec(Frame.nonce(seq, sessionId), Frame.aad(type, seq, payloadLength));
    }
}
