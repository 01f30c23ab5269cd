package io.usmp.wire;

/**
 * CRC-16/MODBUS: reflected polynomial 0xA001, init 0xFFFF, no final xor (SPEC §1). Not CRC-16/ARC,
 * whose init is 0. Table-driven, slicing by 8: eight independent look-ups per 8 bytes instead of a
 * chain of dependent ones (every frame is checked on receipt and computed on send).
 */
public final class Crc16 {
    /** The initial register value; also the CRC of no bytes. */
    public static final int INIT = 0xFFFF;

    /** {@code TABLES[k][b]}: the register change of byte {@code b} followed by {@code k} zero bytes. */
    private static final int[][] TABLES = new int[8][256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int bit = 0; bit < 8; bit++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xA001 : c >>> 1;
            }
            TABLES[0][i] = c;
        }
        for (int k = 1; k < 8; k++) {
            for (int i = 0; i < 256; i++) {
                int prev = TABLES[k - 1][i];
                TABLES[k][i] = (prev >>> 8) ^ TABLES[0][prev & 0xFF];
            }
        }
    }

    private Crc16() {
    }

    /** Continues a CRC over {@code len} bytes of {@code data} from {@code off}. */
    public static int update(int crc, byte[] data, int off, int len) {
        int[] t0 = TABLES[0];
        int[] t1 = TABLES[1];
        int[] t2 = TABLES[2];
        int[] t3 = TABLES[3];
        int[] t4 = TABLES[4];
        int[] t5 = TABLES[5];
        int[] t6 = TABLES[6];
        int[] t7 = TABLES[7];
        int c = crc;
        int i = off;
        int end = off + len;
        for (; i + 8 <= end; i += 8) {
            // The 16-bit register meets the first two bytes; the other six only shift through.
            c = t7[(c ^ data[i]) & 0xFF] ^ t6[((c >>> 8) ^ data[i + 1]) & 0xFF]
                    ^ t5[data[i + 2] & 0xFF] ^ t4[data[i + 3] & 0xFF] ^ t3[data[i + 4] & 0xFF]
                    ^ t2[data[i + 5] & 0xFF] ^ t1[data[i + 6] & 0xFF] ^ t0[data[i + 7] & 0xFF];
        }
        for (; i < end; i++) {
            c = (c >>> 8) ^ t0[(c ^ data[i]) & 0xFF];
        }
        return c;
    }

    /** The CRC of a whole array. */
    public static int of(byte[] data) {
        return update(INIT, data, 0, data.length);
    }
}
