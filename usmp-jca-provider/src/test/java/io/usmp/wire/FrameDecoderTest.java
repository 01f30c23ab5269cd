package io.usmp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.CloseReason;
import io.usmp.protocol.CrcException;
import io.usmp.protocol.ErrorCode;
import io.usmp.protocol.FrameException;
import io.usmp.protocol.MagicException;
import io.usmp.protocol.VersionException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The stream decoder of SPEC §1: any split, header checks before payload, CRC, type, fail fast. */
class FrameDecoderTest {

    private static final List<Frame> SAMPLE = sample();

    private static List<Frame> sample() {
        try {
            byte[] big = new byte[Frame.MAX_PAYLOAD];
            new Random(7).nextBytes(big);
            return List.of(
                    Frame.of(PacketType.HELLO, 0, new byte[38]),
                    Frame.of(PacketType.PING, 1, new byte[28]),
                    Frame.of(PacketType.DATA, 0xFFFFFFFEL, "hello".getBytes(StandardCharsets.US_ASCII)),
                    Frame.of(PacketType.DATA_FRAG, 7, big),
                    Frame.of(PacketType.BYE, 0xFFFFFFFFL, new byte[0]),
                    Frame.of(PacketType.HELLO_RETRY, 3, new byte[16]));
        } catch (FrameException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] wire(List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            out.writeBytes(f.encode());
        }
        return out.toByteArray();
    }

    /** Recomputes the CRC of a (possibly tampered) encoded frame so only the intended defect remains. */
    private static byte[] withCrc(byte[] frame) {
        int crc = Crc16.update(Crc16.update(Crc16.INIT, frame, 0, Frame.AAD_LENGTH), frame, Frame.HEADER_LENGTH,
                frame.length - Frame.HEADER_LENGTH);
        frame[10] = (byte) crc;
        frame[11] = (byte) (crc >>> 8);
        return frame;
    }

    private static List<Frame> decodeInChunks(byte[] data, int chunk) throws FrameException {
        FrameDecoder decoder = new FrameDecoder();
        List<Frame> out = new ArrayList<>();
        for (int off = 0; off < data.length; off += chunk) {
            decoder.decode(data, off, Math.min(chunk, data.length - off), out::add);
        }
        assertFalse(decoder.hasPartialFrame(), "all input formed whole frames");
        return out;
    }

    @Test
    void severalFramesInOneChunk() throws Exception {
        assertEquals(SAMPLE, decodeInChunks(wire(SAMPLE), Integer.MAX_VALUE));
    }

    @Test
    void oneByteAtATime() throws Exception {
        byte[] data = wire(SAMPLE);
        FrameDecoder decoder = new FrameDecoder();
        List<Frame> out = new ArrayList<>();
        int boundary = 0;
        int next = 0;
        for (int i = 0; i < data.length; i++) {
            decoder.decode(data, i, 1, out::add);
            if (i + 1 == boundary + SAMPLE.get(next).encode().length) {
                // a frame is delivered exactly when its last byte arrives, not before
                assertEquals(next + 1, out.size());
                boundary = i + 1;
                next++;
            } else {
                assertEquals(next, out.size());
                assertTrue(decoder.hasPartialFrame());
            }
        }
        assertEquals(SAMPLE, out);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 5, 11, 12, 13, 29, 100, 491, 492, 493, 1000})
    void fixedSplits(int chunk) throws Exception {
        assertEquals(SAMPLE, decodeInChunks(wire(SAMPLE), chunk));
    }

    @Test
    void randomSplits() throws Exception {
        byte[] data = wire(SAMPLE);
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            FrameDecoder decoder = new FrameDecoder();
            List<Frame> out = new ArrayList<>();
            int off = 0;
            while (off < data.length) {
                int n = Math.min(data.length - off, random.nextInt(40));
                decoder.decode(data, off, n, out::add);
                off += n;
            }
            assertEquals(SAMPLE, out, "round " + round);
        }
    }

    @Test
    void honoursOffsetAndLengthOfTheInputArray() throws Exception {
        byte[] frame = SAMPLE.get(2).encode();
        byte[] padded = new byte[frame.length + 10];
        Arrays.fill(padded, (byte) 0x55);
        System.arraycopy(frame, 0, padded, 5, frame.length);
        List<Frame> out = new ArrayList<>();
        new FrameDecoder().decode(padded, 5, frame.length, out::add);
        assertEquals(List.of(SAMPLE.get(2)), out);
    }

    @Test
    void emptyPayloadFrameEndingAChunkIsDeliveredAtOnce() throws Exception {
        byte[] bye = Frame.of(PacketType.BYE, 9, new byte[0]).encode();
        assertEquals(12, bye.length);
        List<Frame> out = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder();
        decoder.decode(bye, 0, 12, out::add);
        assertEquals(1, out.size());
        assertFalse(decoder.hasPartialFrame());
    }

    @Test
    void framesBeforeAFailureAreDeliveredThenItThrows() {
        byte[] good = SAMPLE.get(2).encode();
        byte[] bad = SAMPLE.get(1).encode();
        bad[bad.length - 1] ^= 1;
        byte[] both = Arrays.copyOf(good, good.length + bad.length);
        System.arraycopy(bad, 0, both, good.length, bad.length);
        List<Frame> out = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder();
        assertThrows(CrcException.class, () -> decoder.decode(both, 0, both.length, out::add));
        assertEquals(List.of(SAMPLE.get(2)), out);
    }

    @Test
    void badMagic() {
        for (int i = 0; i < 2; i++) {
            byte[] frame = SAMPLE.get(2).encode();
            frame[i] ^= 0x40;
            FrameDecoder decoder = new FrameDecoder();
            // detected from the header alone
            MagicException e = assertThrows(MagicException.class,
                    () -> decoder.decode(frame, 0, Frame.HEADER_LENGTH, f -> { }));
            assertEquals(ErrorCode.BAD_FRAME, e.code());
            assertEquals(CloseReason.BAD_FRAME, e.reason());
        }
        byte[] swapped = SAMPLE.get(2).encode();
        swapped[0] = (byte) 0xAB;
        swapped[1] = (byte) 0xCD; // big-endian magic is wrong
        assertThrows(MagicException.class, () -> new FrameDecoder().decode(swapped, 0, swapped.length, f -> { }));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x01, 0x03, 0xFF})
    void badVersion(int version) {
        byte[] frame = SAMPLE.get(2).encode();
        frame[2] = (byte) version;
        withCrc(frame);
        VersionException e = assertThrows(VersionException.class,
                () -> new FrameDecoder().decode(frame, 0, Frame.HEADER_LENGTH, f -> { }));
        assertEquals(ErrorCode.VERSION, e.code());
        assertEquals(CloseReason.VERSION, e.reason());
    }

    @ParameterizedTest
    @ValueSource(ints = {481, 492, 0x7FFF, 0xFFFF})
    void oversizedLengthFailsFromTheHeaderAlone(int length) throws Exception {
        byte[] header = Frame.of(PacketType.DATA, 0, new byte[0]).encode();
        header[8] = (byte) length;
        header[9] = (byte) (length >>> 8);
        withCrc(header);
        assertEquals(Frame.HEADER_LENGTH, header.length);

        FrameDecoder decoder = new FrameDecoder();
        List<Frame> out = new ArrayList<>();
        decoder.decode(header, 0, Frame.HEADER_LENGTH - 1, out::add); // 11 bytes: not yet decidable
        FrameException e = assertThrows(FrameException.class,
                () -> decoder.decode(header, Frame.HEADER_LENGTH - 1, 1, out::add)); // the 12th byte, no payload
        assertEquals(FrameException.class, e.getClass());
        assertEquals(ErrorCode.BAD_FRAME, e.code());
        assertTrue(out.isEmpty());
    }

    @Test
    void length480IsAcceptedAndBuffered() throws Exception {
        byte[] frame = SAMPLE.get(3).encode();
        assertEquals(492, frame.length);
        FrameDecoder decoder = new FrameDecoder();
        List<Frame> out = new ArrayList<>();
        decoder.decode(frame, 0, Frame.HEADER_LENGTH, out::add);
        assertTrue(decoder.hasPartialFrame());
        decoder.decode(frame, Frame.HEADER_LENGTH, 480, out::add);
        assertEquals(List.of(SAMPLE.get(3)), out);
    }

    @Test
    void crcMismatch() {
        // type (0x05 -> 0x09, still a known type), seq, both CRC bytes, payload
        int[] positions = {3, 4, 7, 10, 11, 12, 16};
        for (int pos : positions) {
            byte[] frame = SAMPLE.get(2).encode();
            frame[pos] ^= (pos == 3 ? 0x0C : 0x01);
            List<Frame> out = new ArrayList<>();
            CrcException e = assertThrows(CrcException.class,
                    () -> new FrameDecoder().decode(frame, 0, frame.length, out::add), "byte " + pos);
            assertEquals(ErrorCode.BAD_FRAME, e.code());
            assertTrue(out.isEmpty());
        }
    }

    @Test
    void crcIsModbusNotArcOverHeaderAndPayload() throws Exception {
        byte[] frame = SAMPLE.get(2).encode();
        int onWire = (frame[10] & 0xFF) | (frame[11] & 0xFF) << 8;
        byte[] covered = new byte[frame.length - 2];
        System.arraycopy(frame, 0, covered, 0, 10);
        System.arraycopy(frame, 12, covered, 10, frame.length - 12);
        assertEquals(Crc16.of(covered), onWire);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x0B, 0x0C, 0x10, 0x80, 0xFE, 0xFF})
    void unknownTypeWithValidCrc(int type) {
        byte[] frame = SAMPLE.get(2).encode();
        frame[3] = (byte) type;
        withCrc(frame);
        List<Frame> out = new ArrayList<>();
        FrameException e = assertThrows(FrameException.class,
                () -> new FrameDecoder().decode(frame, 0, frame.length, out::add));
        assertEquals(FrameException.class, e.getClass(), "not a CRC failure");
        assertEquals(ErrorCode.BAD_FRAME, e.code());
        assertTrue(out.isEmpty());
        assertThrows(FrameException.class, () -> PacketType.fromCode(type));
    }

    @Test
    void everyAssignedTypeDecodes() throws Exception {
        for (PacketType t : PacketType.values()) {
            assertEquals(t, PacketType.fromCode(t.code()));
            byte[] frame = Frame.of(t, 1, new byte[3]).encode();
            assertEquals(t.code(), frame[3] & 0xFF);
            List<Frame> out = new ArrayList<>();
            new FrameDecoder().decode(frame, 0, frame.length, out::add);
            assertEquals(t, out.get(0).type());
        }
    }

    @Test
    void refusesAllInputAfterAFailure() {
        byte[] bad = SAMPLE.get(2).encode();
        bad[0] = 0;
        FrameDecoder decoder = new FrameDecoder();
        assertThrows(MagicException.class, () -> decoder.decode(bad, 0, bad.length, f -> { }));
        byte[] good = SAMPLE.get(1).encode();
        List<Frame> out = new ArrayList<>();
        assertThrows(FrameException.class, () -> decoder.decode(good, 0, good.length, out::add));
        assertThrows(FrameException.class, () -> decoder.decode(good, 0, 0, out::add));
        assertTrue(out.isEmpty());
    }

    @Test
    void refusesInputAfterACrcFailureToo() {
        byte[] bad = SAMPLE.get(1).encode();
        bad[20] ^= 1;
        FrameDecoder decoder = new FrameDecoder();
        assertThrows(CrcException.class, () -> decoder.decode(bad, 0, bad.length, f -> { }));
        byte[] good = SAMPLE.get(1).encode();
        List<Frame> out = new ArrayList<>();
        assertThrows(FrameException.class, () -> decoder.decode(good, 0, good.length, out::add));
        assertTrue(out.isEmpty());
    }

    @Test
    void crcCheckValues() {
        assertEquals(0xFFFF, Crc16.of(new byte[0]));
        assertEquals(0x34F6, Crc16.of("hello".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(0x4B37, Crc16.of("123456789".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(0xFFFF, Crc16.INIT);
        // incremental update equals the one-shot value
        byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x4B37, Crc16.update(Crc16.update(Crc16.INIT, data, 0, 4), data, 4, 5));
    }

    @Test
    void frameOfRejectsOversizedPayload() throws Exception {
        FrameException e = assertThrows(FrameException.class, () -> Frame.of(PacketType.DATA, 0, new byte[481]));
        assertEquals(ErrorCode.BAD_FRAME, e.code());
        assertEquals(480, Frame.of(PacketType.DATA, 0, new byte[480]).length());
        assertThrows(IllegalArgumentException.class, () -> Frame.of(PacketType.DATA, -1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Frame.of(PacketType.DATA, 0x100000000L, new byte[0]));
    }

    @Test
    void frameOfCopiesThePayload() throws Exception {
        byte[] payload = {1, 2, 3};
        Frame f = Frame.of(PacketType.DATA, 0, payload);
        payload[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, f.payload());
        f.payload()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, f.payload());
    }

    @Test
    void encodeLayoutIsLittleEndian() throws Exception {
        byte[] wire = Frame.of(PacketType.DATA, 0x01020304L, new byte[0x1C]).encode();
        assertEquals("cdab0205040302011c00", HexFormat.of().formatHex(wire, 0, 10));
        assertEquals(12 + 0x1C, wire.length);
    }

    @Test
    void toStringHasNoPayloadBytes() throws Exception {
        byte[] payload = "SECRET-PAYLOAD-0123456789".getBytes(StandardCharsets.US_ASCII);
        Frame f = Frame.of(PacketType.DATA, 5, payload);
        String s = f.toString();
        assertFalse(s.contains("SECRET"), s);
        assertFalse(s.toLowerCase().contains(HexFormat.of().formatHex(payload, 0, 4)), s);
        assertFalse(s.contains(Arrays.toString(payload).substring(1, 12)), s);
        assertFalse(s.contains(java.util.Base64.getEncoder().encodeToString(payload).substring(0, 8)), s);
        assertTrue(s.contains("DATA") && s.contains("seq=5") && s.contains("len=" + payload.length), s);
    }
}
