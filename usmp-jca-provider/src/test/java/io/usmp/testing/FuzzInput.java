package io.usmp.testing;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes inputs in the layout the fuzz targets read through Jazzer's {@code FuzzedDataProvider}:
 * the byte stream from the front ({@code consumeBytes}), the per-step control values from the back
 * ({@code consumeInt(min, max)} with a range below 256 takes exactly one byte from the end and
 * returns {@code min + byte}). Used to turn the golden and derived vectors into seed files.
 *
 * <p>The two step layouts, mirrored by the targets:
 * <ul>
 *   <li>decoder: {@code n = consumeInt(0, 255)}, then {@code consumeBytes(n)};</li>
 *   <li>engine: {@code n = consumeInt(1, 256)}, {@code dt = consumeInt(0, 255)}, then {@code consumeBytes(n)}.</li>
 * </ul>
 */
public final class FuzzInput {
    /** Largest chunk one decoder step carries. */
    public static final int MAX_DECODER_CHUNK = 255;
    /** Largest chunk one engine step carries. */
    public static final int MAX_ENGINE_CHUNK = 256;

    private final ByteArrayOutputStream front = new ByteArrayOutputStream();
    /** Control bytes in the order the target consumes them (the last byte of the input first). */
    private final List<Integer> back = new ArrayList<>();

    /** One decoder step: {@code decode(chunk)}. */
    public FuzzInput decoderStep(byte[] chunk) {
        if (chunk.length > MAX_DECODER_CHUNK) {
            throw new IllegalArgumentException("decoder chunk of " + chunk.length + " bytes");
        }
        back.add(chunk.length);
        front.writeBytes(chunk);
        return this;
    }

    /** Decoder steps carrying {@code stream} in chunks of at most {@code size} bytes. */
    public FuzzInput decoderSteps(byte[] stream, int size) {
        for (int off = 0; off < stream.length; off += size) {
            decoderStep(java.util.Arrays.copyOfRange(stream, off, Math.min(stream.length, off + size)));
        }
        return this;
    }

    /**
     * One engine step: the clock advances by {@code dtUnits} units (the target decides the unit),
     * then {@code receive(chunk)}. An empty chunk is not expressible (the target reads at least one byte).
     */
    public FuzzInput engineStep(byte[] chunk, int dtUnits) {
        if (chunk.length < 1 || chunk.length > MAX_ENGINE_CHUNK) {
            throw new IllegalArgumentException("engine chunk of " + chunk.length + " bytes");
        }
        if (dtUnits < 0 || dtUnits > 255) {
            throw new IllegalArgumentException("time step " + dtUnits);
        }
        back.add(chunk.length - 1);
        back.add(dtUnits);
        front.writeBytes(chunk);
        return this;
    }

    /** Engine steps carrying {@code frame} in chunks of at most {@code size} bytes, the first one after {@code dtUnits}. */
    public FuzzInput engineSteps(byte[] frame, int size, int dtUnits) {
        for (int off = 0; off < frame.length; off += size) {
            engineStep(java.util.Arrays.copyOfRange(frame, off, Math.min(frame.length, off + size)), off == 0 ? dtUnits : 0);
        }
        return this;
    }

    /** Engine steps carrying {@code frame} whole (split only where it exceeds one step), right away. */
    public FuzzInput engineFrame(byte[] frame) {
        return engineSteps(frame, MAX_ENGINE_CHUNK, 0);
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(front.toByteArray());
        for (int i = back.size() - 1; i >= 0; i--) {
            out.write(back.get(i));
        }
        return out.toByteArray();
    }
}
