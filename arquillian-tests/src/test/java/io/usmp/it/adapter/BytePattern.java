package io.usmp.it.adapter;

/** A fixed, position-dependent byte pattern, built the same way by the test and the MDB. */
public final class BytePattern {
    private BytePattern() {
    }

    public static byte[] of(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 13 + 7);
        }
        return b;
    }
}
