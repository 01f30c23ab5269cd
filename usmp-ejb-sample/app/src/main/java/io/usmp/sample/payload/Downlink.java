package io.usmp.sample.payload;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** What the application sends to devices (layouts in README, "Telemetry format"). */
public final class Downlink {
    /** First byte of an acknowledgement; the stored reading's id follows (int64 little-endian). */
    public static final byte ACK = (byte) 0x81;
    /** First byte of a command; UTF-8 text follows. */
    public static final byte COMMAND = 0x03;

    private Downlink() {
    }

    public static byte[] ack(long readingId) {
        return ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).put(ACK).putLong(readingId).array();
    }

    public static byte[] command(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + utf8.length).put(COMMAND).put(utf8).array();
    }
}
