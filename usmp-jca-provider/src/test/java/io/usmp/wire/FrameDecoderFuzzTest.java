package io.usmp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.usmp.protocol.FrameException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes {@link FrameDecoder} with arbitrary bytes in arbitrary splits (SPEC §1, §7). Seeds: every
 * frame of the golden and derived vectors, whole and split (see FuzzSeedsTest).
 *
 * <p>Allowed outcomes: frames, or one {@link FrameException} (magic, version, CRC, length, type);
 * anything else escaping {@code decode} is a finding. Checked on every input:
 * <ul>
 *   <li>split invariance: the same frames and the same failure class as one call with the whole stream;</li>
 *   <li>frames re-encode to exactly the bytes they came from, with payloads of at most 480 bytes;</li>
 *   <li>after a failure every further call throws and delivers nothing;</li>
 *   <li>{@code off}/{@code len} are honoured (chunks are passed inside a padded array).</li>
 * </ul>
 */
class FrameDecoderFuzzTest {
    private static final int PAD = 3;

    @FuzzTest(maxDuration = "5m")
    void decode(FuzzedDataProvider data) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<Frame> frames = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder();
        FrameException failure = null;
        while (data.remainingBytes() > 0) {
            int n = data.consumeInt(0, 255);
            byte[] chunk = data.consumeBytes(n);
            stream.writeBytes(chunk);
            byte[] padded = new byte[chunk.length + 2 * PAD];
            java.util.Arrays.fill(padded, (byte) 0xCD); // the first magic byte: misuse of off/len would show
            System.arraycopy(chunk, 0, padded, PAD, chunk.length);
            int before = frames.size();
            try {
                decoder.decode(padded, PAD, chunk.length, frames::add);
                assertTrue(failure == null, "decode accepted input after a failure");
            } catch (FrameException e) {
                if (failure != null) {
                    assertEquals(before, frames.size(), "frames delivered after a failure");
                } else {
                    failure = e;
                }
            }
        }

        // One call with the whole stream must end the same way.
        byte[] all = stream.toByteArray();
        List<Frame> whole = new ArrayList<>();
        FrameException wholeFailure = null;
        FrameDecoder reference = new FrameDecoder();
        try {
            reference.decode(all, 0, all.length, whole::add);
        } catch (FrameException e) {
            wholeFailure = e;
        }
        assertEquals(whole, frames, "frames depend on how the stream was split");
        assertEquals(wholeFailure == null ? null : wholeFailure.getClass(), failure == null ? null : failure.getClass(),
                "outcome depends on how the stream was split");

        // The delivered frames are a prefix of the stream, byte for byte.
        int off = 0;
        for (Frame f : frames) {
            assertTrue(f.length() <= Frame.MAX_PAYLOAD, "payload over 480 bytes");
            byte[] encoded = f.encode();
            assertArrayEquals(java.util.Arrays.copyOfRange(all, off, off + encoded.length), encoded, "frame does not re-encode");
            off += encoded.length;
        }
        if (failure == null) {
            assertEquals(off != all.length, decoder.hasPartialFrame(), "hasPartialFrame after " + off + " of " + all.length);
        } else {
            assertTrue(off < all.length, "failure without a bad byte left");
            List<Frame> after = new ArrayList<>();
            try {
                decoder.decode(new byte[Frame.HEADER_LENGTH], 0, Frame.HEADER_LENGTH, after::add);
                throw new AssertionError("a failed decoder accepted input");
            } catch (FrameException expected) {
                assertTrue(after.isEmpty(), "a failed decoder delivered a frame");
            }
        }
    }
}
