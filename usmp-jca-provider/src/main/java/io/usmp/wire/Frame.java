package io.usmp.wire;

import io.usmp.protocol.FrameException;
import io.usmp.protocol.Limits;
import java.util.Arrays;

/**
 * One USMP frame (SPEC §1): type, sequence number and payload. Immutable; the payload is plaintext
 * for handshake frames and {@code nonce ‖ ciphertext ‖ tag} for session frames. This class owns the
 * whole layout: header, CRC, the associated data and nonce of sealed payloads, and the
 * {@code magic ‖ version ‖ type} prefix that transcript MACs start with.
 */
public final class Frame {
    public static final int MAGIC = 0xABCD;
    public static final int VERSION = 0x02;
    public static final int HEADER_LENGTH = 12;
    /** Header bytes covered by the CRC and used as AEAD associated data. */
    public static final int AAD_LENGTH = 10;
    public static final int MAX_PAYLOAD = Limits.MAX_FRAME_PAYLOAD;
    /** Nonce and tag around a session plaintext. */
    public static final int SEALED_OVERHEAD = Limits.SEALED_OVERHEAD;
    /** Length of the {@code magic ‖ version ‖ type} prefix. */
    private static final int PREFIX_LENGTH = 4;
    public static final long MAX_SEQ = 0xFFFFFFFFL;

    private final PacketType type;
    private final long seq;
    private final byte[] payload;

    private Frame(PacketType type, long seq, byte[] payload) {
        this.type = type;
        this.seq = seq;
        this.payload = payload;
    }

    /** A frame with a copy of {@code payload}. */
    public static Frame of(PacketType type, long seq, byte[] payload) throws FrameException {
        if (payload.length > MAX_PAYLOAD) {
            throw new FrameException("payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
        }
        if (seq < 0 || seq > MAX_SEQ) {
            throw new IllegalArgumentException("seq out of u32 range: " + seq);
        }
        return new Frame(type, seq, payload.clone());
    }

    /** Takes ownership of a payload array the caller will not touch again (decoder, engine). */
    static Frame wrap(PacketType type, long seq, byte[] payload) {
        return new Frame(type, seq, payload);
    }

    public PacketType type() {
        return type;
    }

    public long seq() {
        return seq;
    }

    public int length() {
        return payload.length;
    }

    /** A copy of the payload. */
    public byte[] payload() {
        return payload.clone();
    }

    /** Copies {@code len} payload bytes from {@code from} into {@code dst} at {@code dstOff}. */
    public void copyPayload(int from, byte[] dst, int dstOff, int len) {
        System.arraycopy(payload, from, dst, dstOff, len);
    }

    /** The 12-byte header followed by the payload. */
    public byte[] encode() {
        byte[] out = new byte[HEADER_LENGTH + payload.length];
        writeAad(out, type, seq, payload.length);
        System.arraycopy(payload, 0, out, HEADER_LENGTH, payload.length);
        int crc = crc(out, payload);
        out[10] = (byte) crc;
        out[11] = (byte) (crc >>> 8);
        return out;
    }

    /** The CRC-16/MODBUS a frame carries: over header bytes 0..9, then the payload. */
    static int crc(byte[] header, byte[] payload) {
        return Crc16.update(Crc16.update(Crc16.INIT, header, 0, AAD_LENGTH), payload, 0, payload.length);
    }

    /** {@code magic ‖ version ‖ type}: the start of every header and of the handshake transcript MACs. */
    public static byte[] prefix(PacketType type) {
        byte[] prefix = new byte[PREFIX_LENGTH];
        writePrefix(prefix, type);
        return prefix;
    }

    /** The nonce of a sealed payload (SPEC §4): {@code seq (u32 LE) ‖ session_id[0..8)}. */
    public static byte[] nonce(long seq, byte[] sessionId) {
        byte[] nonce = new byte[Limits.NONCE_LENGTH];
        LittleEndian.putU32(nonce, 0, seq);
        System.arraycopy(sessionId, 0, nonce, 4, Limits.NONCE_LENGTH - 4);
        return nonce;
    }

    /** Header bytes 0..9 ({@code magic ‖ version ‖ type ‖ seq ‖ length}): the AEAD associated data. */
    public static byte[] aad(PacketType type, long seq, int length) {
        byte[] aad = new byte[AAD_LENGTH];
        writeAad(aad, type, seq, length);
        return aad;
    }

    private static void writePrefix(byte[] out, PacketType type) {
        out[0] = (byte) MAGIC;
        out[1] = (byte) (MAGIC >>> 8);
        out[2] = VERSION;
        out[3] = (byte) type.code();
    }

    private static void writeAad(byte[] out, PacketType type, long seq, int length) {
        writePrefix(out, type);
        LittleEndian.putU32(out, 4, seq);
        out[8] = (byte) length;
        out[9] = (byte) (length >>> 8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.type == type && f.seq == seq && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return (type.hashCode() * 31 + Long.hashCode(seq)) * 31 + Arrays.hashCode(payload);
    }

    /** Type, seq and length only: payloads may be secret. */
    @Override
    public String toString() {
        return "Frame[" + type + " seq=" + seq + " len=" + payload.length + "]";
    }
}
