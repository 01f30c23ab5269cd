package io.usmp.transport;

import io.usmp.handshake.FrameCipher;
import io.usmp.testing.Frames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.UsmpException;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.crypto.UsmpKeyAgreementSpec;
import io.usmp.crypto.X25519Keys;
import io.usmp.session.EngineEvent;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import io.usmp.wire.Frame;
import io.usmp.wire.LittleEndian;
import io.usmp.wire.PacketType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import org.opentest4j.AssertionFailedError;

/**
 * A device on a plain java.net.Socket: drives a real {@link UsmpEngine#client} through the
 * handshake, keeps its own copy of the session keys (derived from the captured ephemeral key and
 * the handshake frames read off the wire), and can then put any frame, valid or tampered, on the wire.
 */
final class RawDevice implements AutoCloseable {
    static final int CHALLENGE_FRAME = Frame.HEADER_LENGTH + 64;
    static final int SESSION_OK_FRAME = Frame.HEADER_LENGTH + 48;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final UsmpCrypto crypto = UsmpCrypto.defaults();
    private UsmpEngine engine;
    private FrameCipher tx;
    private FrameCipher rx;
    private byte[] sessionId;
    private long txSeq;
    private long rxSeq;

    private RawDevice(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static RawDevice connect(InetSocketAddress server) throws IOException {
        return connect(server, "127.0.0.1", 0);
    }

    /** Connects from {@code source}, an address in 127.0.0.0/8, so tests can act as several hosts. */
    static RawDevice connect(InetSocketAddress server, String source) throws IOException {
        return connect(server, source, 0);
    }

    /** With {@code receiveBuffer} > 0, a small SO_RCVBUF (set before connecting, so the window stays small). */
    static RawDevice connect(InetSocketAddress server, int receiveBuffer) throws IOException {
        return connect(server, "127.0.0.1", receiveBuffer);
    }

    static RawDevice connect(InetSocketAddress server, String source, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.setTcpNoDelay(true);
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress("127.0.0.1", server.getPort()), (int) Loopback.WAIT.toMillis());
        return new RawDevice(s);
    }

    Socket socket() {
        return socket;
    }

    void write(byte[]... frames) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            all.writeBytes(f);
        }
        out.write(all.toByteArray());
        out.flush();
    }

    /** Exactly n bytes, or an assertion failure on EOF or after {@link Loopback#WAIT}. */
    byte[] readExactly(int n) throws IOException {
        byte[] buf = new byte[n];
        long deadline = System.nanoTime() + Loopback.WAIT.toNanos();
        int got = 0;
        while (got < n) {
            socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            int r;
            try {
                r = in.read(buf, got, n - got);
            } catch (SocketTimeoutException e) {
                throw new AssertionFailedError("only " + got + " of " + n + " bytes within " + Loopback.WAIT.toMillis() + " ms");
            }
            if (r < 0) {
                throw new AssertionFailedError("EOF after " + got + " of " + n + " bytes");
            }
            got += r;
        }
        return buf;
    }

    /** One whole frame as read (header and payload). */
    byte[] readFrame() throws IOException {
        byte[] header = readExactly(Frame.HEADER_LENGTH);
        byte[] payload = readExactly(LittleEndian.getU16(header, 8));
        byte[] frame = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(payload, 0, frame, header.length, payload.length);
        return frame;
    }

    /**
     * Reads until the server closes the connection (read returns -1) and returns every byte that
     * came before; fails when the connection is still open after {@code timeout}.
     */
    byte[] readUntilClosed(Duration timeout) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new AssertionFailedError("connection still open after " + timeout.toMillis() + " ms ("
                        + got.size() + " bytes received)");
            }
            socket.setSoTimeout((int) left);
            int r;
            try {
                r = in.read(buf);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (r < 0) {
                return got.toByteArray();
            }
            got.write(buf, 0, r);
        }
    }

    byte[] readUntilClosed() throws IOException {
        return readUntilClosed(Loopback.WAIT);
    }

    /**
     * Runs the handshake with a real client engine. Returns normally once SESSION_OK was read and
     * the engine is established; with a wrong PSK, call {@link #helloAndAck} instead.
     */
    void handshake(DeviceId device, byte[] psk) throws IOException, UsmpException {
        helloAndAck(device, psk);
        byte[] sessionOk = readFrame();
        assertEquals(SESSION_OK_FRAME, sessionOk.length, "SESSION_OK frame length");
        assertEquals(PacketType.SESSION_OK.code(), sessionOk[3] & 0xFF);
        engine.receive(sessionOk, 0, sessionOk.length, 0);
        EngineEvent e = engine.pollEvent();
        assertTrue(e instanceof EngineEvent.Established, "client engine established: " + e);
        sessionId = Arrays.copyOfRange(sessionOk, Frame.HEADER_LENGTH, Frame.HEADER_LENGTH + 16);
        byte[] keys = crypto.deriveSessionKeys(ephemeral.getPrivate(), pubS, new UsmpKeyAgreementSpec(nonce, pubC, pubS));
        try {
            tx = FrameCipher.create(crypto, keys, 0, sessionId);
            rx = FrameCipher.create(crypto, keys, 32, sessionId);
        } finally {
            Arrays.fill(keys, (byte) 0);
        }
    }

    private KeyPair ephemeral;
    private byte[] pubC;
    private byte[] pubS;
    private byte[] nonce;

    /** HELLO, read CHALLENGE, write HELLO_ACK (keyed with {@code psk}). */
    void helloAndAck(DeviceId device, byte[] psk) throws IOException, UsmpException {
        SecureRandom random = new SecureRandom();
        EngineSettings settings = new EngineSettings(crypto, random, () -> {
            ephemeral = crypto.generateKeyPair(random);
            return ephemeral;
        }, Duration.ofSeconds(30), Duration.ZERO, Duration.ZERO);
        engine = UsmpEngine.client(settings, device, psk, 0);
        engine.start(0);
        byte[] hello = engine.pollOutput();
        assertNotNull(hello);
        pubC = X25519Keys.rawPublic(ephemeral.getPublic());
        write(hello);
        byte[] challenge = readFrame();
        assertEquals(CHALLENGE_FRAME, challenge.length, "CHALLENGE frame length");
        assertEquals(PacketType.CHALLENGE.code(), challenge[3] & 0xFF);
        nonce = Arrays.copyOfRange(challenge, 12, 44);
        pubS = Arrays.copyOfRange(challenge, 44, 76);
        engine.receive(challenge, 0, challenge.length, 0);
        byte[] ack = engine.pollOutput();
        assertNotNull(ack, "client engine answered CHALLENGE");
        write(ack);
    }

    /** Only HELLO (a valid one for {@code device}, fresh key). */
    static byte[] hello(DeviceId device) throws UsmpException {
        UsmpEngine e = UsmpEngine.client(EngineSettings.defaults(UsmpCrypto.defaults()), device, Loopback.PSK, 0);
        e.start(0);
        return e.pollOutput();
    }

    /** The next session frame of ours, sealed with the real c2s key at the next seq. */
    byte[] sealNext(PacketType type, byte[] plaintext) throws UsmpException {
        return seal(type, txSeq++, plaintext);
    }

    byte[] seal(PacketType type, long seq, byte[] plaintext) throws UsmpException {
        return Frame.of(type, seq, tx.seal(type, seq, plaintext, 0, plaintext.length)).encode();
    }

    /** Opens a frame the server sent (checks it is the next in sequence) and returns its type. */
    PacketType openFromServer(byte[] frame) throws Exception {
        PacketType type = PacketType.fromCode(frame[3] & 0xFF);
        long seq = LittleEndian.getU32(frame, 4);
        assertEquals(rxSeq++, seq, "server seq");
        rx.open(type, seq, Arrays.copyOfRange(frame, Frame.HEADER_LENGTH, frame.length));
        return type;
    }

    /** A frame with arbitrary header fields; the CRC is correct (over what is given) unless {@code badCrc}. */
    static byte[] rawFrame(int magic, int version, int type, long seq, byte[] payload, boolean badCrc) {
        byte[] f = new byte[Frame.HEADER_LENGTH + payload.length];
        f[0] = (byte) magic;
        f[1] = (byte) (magic >>> 8);
        f[2] = (byte) version;
        f[3] = (byte) type;
        LittleEndian.putU32(f, 4, seq);
        f[8] = (byte) payload.length;
        f[9] = (byte) (payload.length >>> 8);
        System.arraycopy(payload, 0, f, Frame.HEADER_LENGTH, payload.length);
        Frames.withCrc(f);
        if (badCrc) {
            f[10] ^= 0x01;
        }
        return f;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
