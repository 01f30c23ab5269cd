package io.usmp.cli;

import io.usmp.protocol.DeviceId;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The simulated fleet, shared by {@code keystore-gen} and {@code simulate}: device ids derived from
 * an index, and the sample application's telemetry format (README, "Telemetry format").
 */
final class SimulatedDevices {
    /** First byte of every simulated device id: 0x5a, then the index as a 40-bit big-endian number. */
    static final int ID_PREFIX = 0x5a;
    static final byte TELEMETRY_V1 = 0x01;
    static final byte COMMAND_ANSWER = 0x02;
    static final byte COMMAND = 0x03;
    static final byte ACK = (byte) 0x81;

    private SimulatedDevices() {
    }

    /** Device {@code index} (0-based) is {@code 5a} followed by the index in 10 hex digits: 0 → 5a0000000000, 19 → 5a0000000013. */
    static DeviceId id(long index) {
        if (index < 0 || index >= 1L << 40) {
            throw new IllegalArgumentException("device index out of range: " + index);
        }
        return DeviceId.fromHex(String.format("%02x%010x", ID_PREFIX, index));
    }

    /**
     * Binary telemetry v1, 11 bytes little-endian: type 0x01, temperature int16 centi-°C, humidity
     * uint16 centi-%, battery uint16 mV, counter uint32.
     */
    static byte[] record(double temperatureC, double humidityPct, int batteryMv, long counter) {
        return ByteBuffer.allocate(11).order(ByteOrder.LITTLE_ENDIAN)
                .put(TELEMETRY_V1)
                .putShort((short) Math.round(temperatureC * 100))
                .putShort((short) Math.round(humidityPct * 100))
                .putShort((short) batteryMv)
                .putInt((int) counter)
                .array();
    }

    /**
     * Reading {@code counter} of device {@code index}: smooth curves that differ per device (so the
     * dashboard's charts tell devices apart), the same on every run.
     */
    static byte[] reading(int index, long counter) {
        double phase = counter / 10.0 + index;
        double temperature = 18 + index % 7 + 2.5 * Math.sin(phase);
        double humidity = 45 + 10 * Math.cos(phase / 3);
        int battery = (int) Math.max(3300, 4200 - counter / 10);
        return record(temperature, humidity, battery, counter & 0xffff_ffffL);
    }

    /** The answer to a command: type 0x02, then "ok " and the command's text. */
    static byte[] answer(String command) {
        byte[] text = ("ok " + command).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + text.length).put(COMMAND_ANSWER).put(text).array();
    }
}
