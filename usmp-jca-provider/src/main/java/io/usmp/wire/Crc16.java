package io.usmp.wire;

/**
 * CRC-16/MODBUS: reflected polynomial 0xA001, init 0xFFFF, no final xor (SPEC §1). Not CRC-16/ARC,
 * whose init is 0. Table-driven, one lookup per byte.
 */
public final class Crc16 {
    /** The initial register value; also the CRC of no bytes. */
    public static final int INIT = 0xFFFF;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int bit = 0; bit < 8; bit++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xA001 : c >>> 1;
            }
            TABLE[i] = c;
        }
    }

    private Crc16() {
    }

    /** Continues a CRC over {@code len} bytes of {@code data} from {@code off}. */
    public static int update(int crc, byte[] data, int off, int len) {
        int c = crc;
        for (int i = off; i < off + len; i++) {
            c = (c >>> 8) ^ TABLE[(c ^ data[i]) & 0xFF];
        }
        return c;
    }

    /** The CRC of a whole array. */
    public static int of(byte[] data) {
        return update(INIT, data, 0, data.length);
    }
}
