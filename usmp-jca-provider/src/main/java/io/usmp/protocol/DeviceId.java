package io.usmp.protocol;

import java.util.Arrays;
import java.util.HexFormat;

/** The 6-byte device identifier a device presents in HELLO. Immutable. */
public final class DeviceId {
    /** Bytes in a device id. */
    public static final int LENGTH = 6;

    private final byte[] bytes;

    private DeviceId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A device id from exactly six bytes (copied). */
    public static DeviceId of(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("a device id is " + LENGTH + " bytes");
        }
        return new DeviceId(bytes.clone());
    }

    /** A device id from 12 hex digits, either case. */
    public static DeviceId fromHex(String hex) {
        byte[] parsed;
        try {
            parsed = HexFormat.of().parseHex(hex.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device id is not hex: " + hex, e);
        }
        return of(parsed);
    }

    /** A copy of the six bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Lower-case hex, e.g. {@code a1b2c3d4e5f6}; also the PKCS#12 alias of the device's PSK. */
    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
