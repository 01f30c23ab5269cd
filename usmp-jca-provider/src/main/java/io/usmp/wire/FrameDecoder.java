package io.usmp.wire;

import io.usmp.protocol.CrcException;
import io.usmp.protocol.FrameException;
import io.usmp.protocol.MagicException;
import io.usmp.protocol.VersionException;
import java.util.function.Consumer;

/**
 * Incremental frame decoder for stream transports: bytes may arrive in any split, one at a time
 * included. Magic, version and length are checked from the 12-byte header before any payload is
 * buffered, so an oversized claim costs nothing. After a failure the decoder refuses all input
 * (fail fast: the connection is closing).
 */
public final class FrameDecoder {
    private final byte[] header = new byte[Frame.HEADER_LENGTH];
    private int headerFill;
    private byte[] payload;
    private int payloadFill;
    private boolean failed;

    /**
     * Consumes {@code len} bytes and hands every completed frame to {@code sink}, in order.
     *
     * @throws FrameException on the first malformed frame; frames completed before it were delivered
     */
    public void decode(byte[] data, int off, int len, Consumer<Frame> sink) throws FrameException {
        if (failed) {
            throw new FrameException("decoder already failed");
        }
        try {
            int pos = off;
            int end = off + len;
            while (pos < end) {
                if (payload == null) {
                    int n = Math.min(Frame.HEADER_LENGTH - headerFill, end - pos);
                    System.arraycopy(data, pos, header, headerFill, n);
                    headerFill += n;
                    pos += n;
                    if (headerFill == Frame.HEADER_LENGTH) {
                        payload = new byte[checkHeader(header)];
                        payloadFill = 0;
                    }
                }
                if (payload != null) {
                    int n = Math.min(payload.length - payloadFill, end - pos);
                    System.arraycopy(data, pos, payload, payloadFill, n);
                    payloadFill += n;
                    pos += n;
                    if (payloadFill == payload.length) {
                        Frame f = finish(header, payload);
                        payload = null;
                        headerFill = 0;
                        sink.accept(f);
                    }
                }
            }
        } catch (FrameException e) {
            failed = true;
            throw e;
        }
    }

    /** True while part of a frame is buffered. */
    public boolean hasPartialFrame() {
        return headerFill > 0;
    }

    /** Checks magic, version and length of a header and returns the payload length. */
    static int checkHeader(byte[] h) throws FrameException {
        if ((h[0] & 0xFF) != (Frame.MAGIC & 0xFF) || (h[1] & 0xFF) != Frame.MAGIC >>> 8) {
            throw new MagicException(String.format("bad magic %02X %02X", h[0], h[1]));
        }
        if ((h[2] & 0xFF) != Frame.VERSION) {
            throw new VersionException(String.format("unsupported version 0x%02X", h[2]));
        }
        int length = LittleEndian.getU16(h, 8);
        if (length > Frame.MAX_PAYLOAD) {
            throw new FrameException("payload length " + length + " exceeds " + Frame.MAX_PAYLOAD);
        }
        return length;
    }

    /** Verifies the CRC and the type of a complete frame; takes ownership of {@code payload}. */
    static Frame finish(byte[] h, byte[] payload) throws FrameException {
        int expected = LittleEndian.getU16(h, 10);
        int actual = Frame.crc(h, payload);
        if (expected != actual) {
            throw new CrcException(String.format("CRC mismatch: frame says %04X, computed %04X", expected, actual));
        }
        PacketType type = PacketType.fromCode(h[3] & 0xFF);
        return Frame.wrap(type, LittleEndian.getU32(h, 4), payload);
    }
}
