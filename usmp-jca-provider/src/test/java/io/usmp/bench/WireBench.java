package io.usmp.bench;

import io.usmp.protocol.FrameException;
import io.usmp.wire.Crc16;
import io.usmp.wire.Frame;
import io.usmp.wire.FrameDecoder;
import io.usmp.wire.PacketType;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The wire codec on a full DATA frame (452-byte fragment sealed: 480-byte payload, 492 bytes on
 * the wire). References in the same run: {@link CRC32} (an intrinsic) over the same bytes for the
 * CRC, and a plain copy of the frame for encode and decode.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WireBench {
    private Frame frame;
    private byte[] encoded;
    private final CRC32 crc32 = new CRC32();

    @Setup
    public void setup() throws FrameException {
        byte[] payload = new byte[Frame.MAX_PAYLOAD];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        frame = Frame.of(PacketType.DATA, 7, payload);
        encoded = frame.encode();
    }

    @Benchmark
    public int crc16() {
        return Crc16.of(encoded);
    }

    @Benchmark
    public long boundCrc32() {
        crc32.reset();
        crc32.update(encoded, 0, encoded.length);
        return crc32.getValue();
    }

    @Benchmark
    public byte[] frameEncode() {
        return frame.encode();
    }

    @Benchmark
    public void frameDecode(Blackhole bh) throws FrameException {
        new FrameDecoder().decode(encoded, 0, encoded.length, bh::consume);
    }

    @Benchmark
    public byte[] boundCopy() {
        return Arrays.copyOf(encoded, encoded.length);
    }
}
