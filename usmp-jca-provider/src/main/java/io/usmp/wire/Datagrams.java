package io.usmp.wire;

import io.usmp.protocol.FrameException;
import java.nio.charset.StandardCharsets;

/**
 * The datagram framing of SPEC §5: one frame per datagram (exact length), the UTACK transport
 * acknowledgement ({@code AC AC ‖ type ‖ seq(u32)}, plus an 8-byte MAC for session frames) and the
 * layout of the return-routability cookie and its MAC input. No keys here: callers supply the MAC.
 */
public final class Datagrams {
    /** First two bytes of every UTACK (never a frame's: frames start {@code CD AB}). */
    public static final int UTACK_MAGIC = 0xAC;
    /** {@code AC AC ‖ type ‖ seq}: the whole UTACK of a handshake frame, the MAC input of a session one. */
    public static final int UTACK_HEADER_LENGTH = 7;
    /** Truncated HMAC-SHA256 appended to the UTACK of a session frame. */
    public static final int UTACK_MAC_LENGTH = 8;
    public static final int SESSION_UTACK_LENGTH = UTACK_HEADER_LENGTH + UTACK_MAC_LENGTH;
    /** The cookie of HELLO_RETRY and of a UDP HELLO's retry: {@code HMAC(secret, input)[0..16)}. */
    public static final int COOKIE_LENGTH = 16;
    /** The cookie's time bucket in seconds ({@code floor(unix_s / 30)}). */
    public static final long COOKIE_BUCKET_SECONDS = 30;
    /** Largest datagram that can hold a frame. */
    public static final int MAX_DATAGRAM = Frame.HEADER_LENGTH + Frame.MAX_PAYLOAD;

    /** A parsed UTACK: the (type, seq) it acknowledges and, for session frames, the carried MAC. */
    public record Utack(int typeCode, long seq, byte[] header, byte[] mac) {
        /** True when the acknowledged type is a session frame's (≥ 5, HELLO_RETRY excepted). */
        public boolean forSessionFrame() {
            return isSessionType(typeCode);
        }
    }

    private Datagrams() {
    }

    /** True when the datagram starts like a UTACK ({@code AC AC}). */
    public static boolean isUtack(byte[] d, int off, int len) {
        return len >= 2 && (d[off] & 0xFF) == UTACK_MAGIC && (d[off + 1] & 0xFF) == UTACK_MAGIC;
    }

    /**
     * The frame a datagram carries: magic, version, length ≤ 480, exact datagram length
     * ({@code 12 + length}), CRC and type are all checked.
     *
     * @throws FrameException for anything else (on UDP the caller drops it silently)
     */
    public static Frame decodeFrame(byte[] d, int off, int len) throws FrameException {
        if (len < Frame.HEADER_LENGTH) {
            throw new FrameException("datagram of " + len + " bytes is shorter than a header");
        }
        byte[] header = new byte[Frame.HEADER_LENGTH];
        System.arraycopy(d, off, header, 0, Frame.HEADER_LENGTH);
        int length = FrameDecoder.checkHeader(header);
        if (len != Frame.HEADER_LENGTH + length) {
            throw new FrameException("datagram of " + len + " bytes carries a frame of " + (Frame.HEADER_LENGTH + length));
        }
        byte[] payload = new byte[length];
        System.arraycopy(d, off + Frame.HEADER_LENGTH, payload, 0, length);
        return FrameDecoder.finish(header, payload);
    }

    /** True for the type codes whose UTACK carries a MAC: session frames (≥ 5), not HELLO_RETRY. */
    public static boolean isSessionType(int typeCode) {
        return typeCode >= PacketType.DATA.code() && typeCode != PacketType.HELLO_RETRY.code();
    }

    /** {@code AC AC ‖ type ‖ seq(u32 LE)}: a handshake frame's UTACK, and the MAC input of a session frame's. */
    public static byte[] utackHeader(PacketType type, long seq) {
        byte[] h = new byte[UTACK_HEADER_LENGTH];
        h[0] = (byte) UTACK_MAGIC;
        h[1] = (byte) UTACK_MAGIC;
        h[2] = (byte) type.code();
        LittleEndian.putU32(h, 3, seq);
        return h;
    }

    /** A session frame's UTACK: the header followed by the first 8 bytes of {@code fullMac}. */
    public static byte[] sessionUtack(byte[] header, byte[] fullMac) {
        if (fullMac.length < UTACK_MAC_LENGTH) {
            throw new IllegalArgumentException("MAC too short");
        }
        byte[] u = new byte[SESSION_UTACK_LENGTH];
        System.arraycopy(header, 0, u, 0, UTACK_HEADER_LENGTH);
        System.arraycopy(fullMac, 0, u, UTACK_HEADER_LENGTH, UTACK_MAC_LENGTH);
        return u;
    }

    /**
     * Parses a UTACK: at least 7 bytes; the MAC is the next 8 bytes when present (a session UTACK
     * without them has {@code mac == null} and is to be ignored), {@code null} if not a UTACK.
     */
    public static Utack parseUtack(byte[] d, int off, int len) {
        if (len < UTACK_HEADER_LENGTH || !isUtack(d, off, len)) {
            return null;
        }
        byte[] header = new byte[UTACK_HEADER_LENGTH];
        System.arraycopy(d, off, header, 0, UTACK_HEADER_LENGTH);
        byte[] mac = null;
        if (len >= SESSION_UTACK_LENGTH) {
            mac = new byte[UTACK_MAC_LENGTH];
            System.arraycopy(d, off + UTACK_HEADER_LENGTH, mac, 0, UTACK_MAC_LENGTH);
        }
        return new Utack(header[2] & 0xFF, LittleEndian.getU32(header, 3), header, mac);
    }

    /** The cookie's time bucket for a wall-clock time in Unix seconds. */
    public static long cookieBucket(long unixSeconds) {
        return Math.floorDiv(unixSeconds, COOKIE_BUCKET_SECONDS);
    }

    /** The cookie MAC input {@code "<ip>:<port>:<bucket>"} (ASCII), {@code ip} in its textual form. */
    public static byte[] cookieInput(String ip, int port, long bucket) {
        return (ip + ":" + port + ":" + bucket).getBytes(StandardCharsets.US_ASCII);
    }
}
