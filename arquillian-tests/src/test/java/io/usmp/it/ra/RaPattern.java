package io.usmp.it.ra;

/** A fixed, position-dependent byte pattern, built the same way by the test and the MDB. */
public final class RaPattern {
    private RaPattern() {
    }

    public static byte[] of(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 13 + 7);
        }
        return b;
    }
}
