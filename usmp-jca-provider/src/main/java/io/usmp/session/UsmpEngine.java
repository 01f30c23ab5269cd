package io.usmp.session;

import io.usmp.protocol.AuthException;
import io.usmp.protocol.BackpressureException;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.ConnectionClosedException;
import io.usmp.protocol.CryptoException;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.FrameException;
import io.usmp.protocol.HandshakeException;
import io.usmp.protocol.Limits;
import io.usmp.protocol.PayloadException;
import io.usmp.protocol.PskResolver;
import io.usmp.protocol.SequenceException;
import io.usmp.protocol.UsmpException;
import io.usmp.protocol.UsmpTimeoutException;
import io.usmp.handshake.ClientHandshake;
import io.usmp.handshake.Handshake;
import io.usmp.handshake.ServerHandshake;
import io.usmp.handshake.SessionSecrets;
import io.usmp.wire.Datagrams;
import io.usmp.wire.Frame;
import io.usmp.wire.FrameDecoder;
import io.usmp.wire.PacketType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;

/**
 * One USMP connection as a state machine that does no I/O and reads no clock (SPEC §3, §4, §7):
 * bytes and the current time go in; bytes to write and {@link EngineEvent}s come out. Transports,
 * the standalone gateway, the resource adapter and deterministic tests all drive this same class.
 *
 * <p>Not thread-safe: a transport calls it from one thread at a time (Netty: the channel's event
 * loop), which is also what keeps the fragments of one message together on the wire.
 *
 * <p>Fail fast: on any violation the offending frame is discarded, unsent output is dropped, the
 * keys are wiped and {@link EngineEvent.Closed} reports the typed cause. No ERROR frame is sent.
 *
 * <p>Datagram mode (UDP, SPEC §5; {@link #datagramClient}, {@link #datagramServer}): the transport
 * passes each received datagram to {@link #receiveDatagram}; {@link #pollOutput()} then returns
 * datagrams (frames and UTACKs). One frame per datagram with an exact length; a 64-frame replay
 * window instead of the strict seq, updated only after the AEAD check; every frame accepted is
 * acknowledged with a UTACK (session frames' authenticated with the receive key), duplicates are
 * re-acknowledged and not processed; frames go out stop-and-wait, resent by {@link #tick} until
 * acknowledged, and a frame that runs out of tries ends the session. Anything unauthenticated or
 * malformed is dropped silently and never ends the session; authenticated violations still do.
 * While reading is paused (backpressure) DATA and DATA_FRAG are not acknowledged, so the peer
 * resends them instead of them being lost.
 */
public final class UsmpEngine {
    /** The last seq a non-BYE frame may use; 0xFFFFFFFF is BYE's alone. */
    static final long LAST_USABLE_SEQ = 0xFFFFFFFEL;
    /** More than this many PING/PONG frames within {@link #FLOOD_WINDOW_MILLIS} is a flood. */
    static final int FLOOD_LIMIT = 8;
    static final long FLOOD_WINDOW_MILLIS = 1000;
    /** At most a day of pauses' worth of PING/PONG backlog is forgiven. */
    private static final long MAX_FLOOD_CREDIT = 86_400L * FLOOD_LIMIT;

    /** CLOSING: our BYE is sent, the peer's last messages are still read (see {@link #closeLingering}). */
    private enum State { HANDSHAKE, ESTABLISHED, CLOSING, CLOSED }

    private final boolean client;
    private final boolean datagram;
    private final EngineSettings settings;
    /** Dropped once the session is established (its secrets are wiped then), so a live session does not keep it. */
    private Handshake handshake;
    private final FrameDecoder decoder = new FrameDecoder();
    // Small initial capacities: a transport drains both after every call, and an idle session keeps them.
    private final ArrayDeque<byte[]> output = new ArrayDeque<>(3);
    private final ArrayDeque<EngineEvent> events = new ArrayDeque<>(3);
    private final long handshakeDeadline;
    private long lingerDeadline = Long.MAX_VALUE;
    /** Server: when a complete HELLO must have arrived (set once a handshake slot is granted). */
    private long helloDeadline = Long.MAX_VALUE;

    private State state = State.HANDSHAKE;
    /** The session's ciphers while established; dropped (after wiping) when the session ends. */
    private SessionSecrets secrets;
    private DeviceId peer;
    private boolean keysWiped = true;
    private long txSeq;
    private long rxSeq;
    private long lastTx;
    private long lastRx;
    /** When a session frame was last sealed or opened: the cipher idle release counts from here. */
    private long lastCipherUse;
    /** The fragments of a message being received; created by the first DATA_FRAG. */
    private ByteArrayOutputStream reassembly;
    private int fragments;
    private final long[] keepaliveTimes = new long[FLOOD_LIMIT];
    private int keepaliveCount;
    /** The transport stopped reading (backpressure): the watchdog cannot see the peer, so it waits. */
    private boolean readingPaused;
    private long pausedSince;
    /** PING/PONG frames that may arrive as a backlog after a pause without counting as a flood. */
    private long floodCredit;
    /** PINGs we sent that no PONG answered yet: their PONGs are not counted as a flood. */
    private long pingsUnanswered;
    /** PINGs sent so far; a PONG answers the oldest unanswered one (streams and the ARQ keep order). */
    private long pingsSent;
    /** The number of the latest {@link #probe}'s PING: PONGs up to it are reported as {@link EngineEvent.Pong}. */
    private long probeAwaited;
    /** The transport cannot write (the peer does not read) since {@link #blockedSince}. */
    private boolean outputBlocked;
    private long blockedSince;

    // The datagram-mode state below is null on streams (it would only weigh on every idle TCP session).
    /** Datagram mode: the replay window of received session frames. */
    private final ReplayWindow window;
    /** Datagram mode: outgoing frames, one in flight; null on streams. */
    private final StopAndWait arq;
    /** Datagram mode: UTACKs to send; survive the end of the session (a BYE is still acknowledged). */
    private final ArrayDeque<byte[]> acks;
    /** Datagram mode: handshake frame types already processed (their duplicates are only re-acknowledged). */
    private final boolean[] handshakeSeen;
    /** Datagram mode: a handshake MAC that failed (dropped); the handshake's timeout then reports it. */
    private AuthException pendingAuth;
    /** Datagram mode: a local close waits for the frames in flight and its BYE to be acknowledged. */
    private boolean closingAfterDrain;
    private long byeSeq = -1;
    private long datagramsDropped;

    private UsmpEngine(boolean client, boolean datagram, EngineSettings settings, Handshake handshake, long now) {
        this.client = client;
        this.datagram = datagram;
        this.settings = settings;
        this.handshake = handshake;
        this.handshakeDeadline = deadline(now, settings.handshakeTimeout().toMillis());
        this.arq = datagram ? new StopAndWait(settings.arqTries(), settings.arqInterval().toMillis()) : null;
        this.window = datagram ? new ReplayWindow() : null;
        this.acks = datagram ? new ArrayDeque<>() : null;
        this.handshakeSeen = datagram ? new boolean[256] : null;
    }

    /** A device-side engine; call {@link #start(long)} to send HELLO. {@code psk} is copied. */
    public static UsmpEngine client(EngineSettings settings, DeviceId device, byte[] psk, long nowMillis) {
        return new UsmpEngine(true, false, settings, new ClientHandshake(settings.crypto(), device, psk, settings.keyPairs()), nowMillis);
    }

    /** A device-side engine in datagram mode (UDP, SPEC §5); {@link #start(long)} sends HELLO. */
    public static UsmpEngine datagramClient(EngineSettings settings, DeviceId device, byte[] psk, long nowMillis) {
        return new UsmpEngine(true, true, settings,
                new ClientHandshake(settings.crypto(), device, psk, settings.keyPairs(), true), nowMillis);
    }

    /**
     * A gateway-side engine in datagram mode. The transport verified the HELLO's cookie before it
     * created this engine (the gateway keeps no state for a cookieless HELLO, SPEC §5).
     */
    public static UsmpEngine datagramServer(EngineSettings settings, PskResolver psks, long nowMillis) {
        return new UsmpEngine(false, true, settings,
                new ServerHandshake(settings.crypto(), psks, settings.random(), settings.keyPairs(), true), nowMillis);
    }

    /** A gateway-side engine, waiting for HELLO. */
    public static UsmpEngine server(EngineSettings settings, PskResolver psks, long nowMillis) {
        return new UsmpEngine(false, false, settings,
                new ServerHandshake(settings.crypto(), psks, settings.random(), settings.keyPairs()), nowMillis);
    }

    /** Begins the handshake: a client queues HELLO; a server does nothing. */
    public void start(long nowMillis) {
        guarded(() -> {
            Frame hello = handshake.start();
            if (hello != null) {
                queue(hello, nowMillis);
            }
        });
    }

    /** Feeds received bytes (any split). Violations close the engine; this method never throws. */
    public void receive(byte[] data, int off, int len, long nowMillis) {
        if (datagram) {
            throw new IllegalStateException("a datagram engine takes whole datagrams: receiveDatagram");
        }
        if (state == State.CLOSED) {
            return;
        }
        guarded(() -> decoder.decode(data, off, len, frame -> onFrame(frame, nowMillis)));
    }

    /**
     * Datagram mode: one received datagram, a frame or a UTACK. Unauthenticated or malformed input
     * is dropped silently; only an authenticated violation (or an unknown device in HELLO, whose
     * source the cookie proved) ends the engine. Never throws.
     */
    public void receiveDatagram(byte[] data, int off, int len, long nowMillis) {
        if (!datagram) {
            throw new IllegalStateException("a stream engine takes bytes: receive");
        }
        if (state == State.CLOSED) {
            return;
        }
        guarded(() -> {
            if (Datagrams.isUtack(data, off, len)) {
                onUtack(Datagrams.parseUtack(data, off, len), nowMillis);
                return;
            }
            Frame frame;
            try {
                frame = Datagrams.decodeFrame(data, off, len);
            } catch (FrameException e) {
                datagramsDropped++;
                return;
            }
            if (frame.type().isEncrypted()) {
                onDatagramSessionFrame(frame, nowMillis);
            } else {
                onDatagramHandshakeFrame(frame, nowMillis);
            }
        });
    }

    /** Datagram mode: datagrams dropped silently so far (malformed, unauthenticated, too old). */
    public long datagramsDropped() {
        return datagramsDropped;
    }

    /** Datagram mode: bytes of the frames queued or in flight, not yet acknowledged; 0 on streams. */
    public long unacknowledgedBytes() {
        return arq == null ? 0 : arq.queuedBytes();
    }

    /** The seq the next session frame will carry (its last message's frames have the ones before). */
    public long nextSendSeq() {
        return txSeq;
    }

    private void onUtack(Datagrams.Utack utack, long now) throws UsmpException {
        StopAndWait.Entry head = utack == null ? null : arq.head();
        if (head == null || head.typeCode() != utack.typeCode() || head.seq() != utack.seq()) {
            datagramsDropped++;
            return;
        }
        if (utack.forSessionFrame() && (secrets == null || !secrets.sender().verifyUtack(utack))) {
            datagramsDropped++; // forged, or a session UTACK without its MAC
            return;
        }
        StopAndWait.Entry done = arq.acknowledged(utack.typeCode(), utack.seq(), now, output::add);
        if (done != null) {
            acknowledged(done);
        }
    }

    private void acknowledged(StopAndWait.Entry done) {
        if (Datagrams.isSessionType(done.typeCode())) {
            events.add(new EngineEvent.Delivered(done.seq()));
            if (closingAfterDrain && done.seq() == byeSeq && done.typeCode() == PacketType.BYE.code()) {
                end(CloseReason.LOCAL, null, true);
            }
        }
    }

    private boolean expectedHandshake(PacketType type) {
        return client ? type == PacketType.HELLO_RETRY || type == PacketType.CHALLENGE || type == PacketType.SESSION_OK
                : type == PacketType.HELLO || type == PacketType.HELLO_ACK;
    }

    private void onDatagramHandshakeFrame(Frame frame, long now) throws UsmpException {
        PacketType type = frame.type();
        if (!expectedHandshake(type)) {
            datagramsDropped++;
            return;
        }
        if (handshakeSeen[type.code()]) {
            acks.add(Datagrams.utackHeader(type, frame.seq())); // its UTACK was lost: re-acknowledge only
            return;
        }
        if (state != State.HANDSHAKE) {
            datagramsDropped++;
            return;
        }
        Frame reply;
        try {
            reply = handshake.receive(frame);
        } catch (AuthException e) {
            if (!client && type == PacketType.HELLO) {
                // Unknown device: the cookie proved the source, so this ends the handshake and counts
                // toward the lockout. Acknowledged first (UTACKs outlive the end), or each resend of
                // the HELLO would become a new peer and count again.
                acks.add(Datagrams.utackHeader(type, frame.seq()));
                throw e;
            }
            pendingAuth = e; // maybe spoofed: drop; if the handshake then times out, it failed as AUTH
            datagramsDropped++;
            return;
        } catch (UsmpException e) {
            datagramsDropped++;
            return;
        }
        handshakeSeen[type.code()] = true;
        acks.add(Datagrams.utackHeader(type, frame.seq()));
        StopAndWait.Entry proven = arq.replyReceived(now, output::add); // a reply proves our frame arrived
        if (proven != null) {
            acknowledged(proven);
        }
        afterHandshakeStep(reply, now);
    }

    private void onDatagramSessionFrame(Frame frame, long now) throws UsmpException {
        PacketType type = frame.type();
        long seq = frame.seq();
        if (state != State.ESTABLISHED || frame.length() < Frame.SEALED_OVERHEAD
                || (seq > LAST_USABLE_SEQ && type != PacketType.BYE)) {
            datagramsDropped++;
            return;
        }
        switch (window.check(seq)) {
            case TOO_OLD:
                datagramsDropped++;
                return;
            case SEEN:
                acks.add(secrets.receiver().utack(type, seq)); // our UTACK was lost: re-acknowledge only
                return;
            default:
                break;
        }
        if (readingPaused && (type == PacketType.DATA || type == PacketType.DATA_FRAG)) {
            return; // backpressure: not acknowledged, so the peer resends it later; nothing is lost
        }
        byte[] plaintext;
        lastCipherUse = now; // even a forged frame keys the receive cipher
        try {
            plaintext = secrets.receiver().open(type, seq, frame.payload());
        } catch (CryptoException e) {
            datagramsDropped++; // forged or corrupted: the window does not move
            return;
        }
        window.accept(seq);
        acks.add(secrets.receiver().utack(type, seq));
        StopAndWait.Entry proven = arq.replyReceived(now, output::add); // SESSION_OK arrived, its UTACK did not
        if (proven != null) {
            acknowledged(proven);
        }
        lastRx = now;
        process(type, plaintext, now);
    }

    /**
     * Queues one message as ⌈n/452⌉ frames (DATA_FRAG…, DATA). Refused whole, before anything is
     * queued, when larger than {@value Limits#MAX_MESSAGE} bytes.
     *
     * @throws PayloadException          message too large (the session stays open)
     * @throws ConnectionClosedException the session has ended
     * @throws SequenceException         the send would exhaust the sequence space (the session closes)
     * @throws IllegalStateException     the handshake has not completed
     */
    public void send(byte[] message, long nowMillis) throws UsmpException {
        Limits.checkMessageSize(message);
        checkOpen();
        int chunks = Math.max(1, (message.length + Limits.MAX_FRAGMENT - 1) / Limits.MAX_FRAGMENT);
        if (txSeq + chunks - 1 > LAST_USABLE_SEQ) {
            SequenceException e = new SequenceException("sequence space exhausted");
            closeWithBye(e.reason(), e, nowMillis);
            throw e;
        }
        for (int i = 0; i < chunks; i++) {
            int from = i * Limits.MAX_FRAGMENT;
            int len = Math.min(Limits.MAX_FRAGMENT, message.length - from);
            sendSealed(i == chunks - 1 ? PacketType.DATA : PacketType.DATA_FRAG, message, from, len, nowMillis);
        }
    }

    /** Sends a PING (a client's keepalive; also usable by a gateway to probe a device). */
    public void ping(long nowMillis) throws UsmpException {
        checkOpen();
        sendControl(PacketType.PING, nowMillis);
    }

    /**
     * Sends a PING whose answer is reported: {@link EngineEvent.Pong} with {@code answered} at least
     * the returned number once the peer's PONG to it arrived. A liveness check that proves the peer
     * still reads and answers, which a keepalive (only written) does not. The peer counts PINGs
     * towards its flood limit (more than {@value #FLOOD_LIMIT} PING/PONG frames within 1 s).
     *
     * @return the PING's number (1 for the first PING of the session, keepalives included)
     */
    public long probe(long nowMillis) throws UsmpException {
        ping(nowMillis);
        probeAwaited = pingsSent;
        return pingsSent;
    }

    /** Orderly close: BYE when established, then {@link CloseReason#LOCAL}. Idempotent. */
    public void close(long nowMillis) {
        if (state != State.CLOSED && !closingAfterDrain) {
            closeWithBye(CloseReason.LOCAL, null, nowMillis);
        }
    }

    /**
     * Orderly close that loses nothing the peer already sent: BYE goes out, then, for up to
     * {@code lingerMillis}, messages the peer sent before it saw the BYE are still opened and
     * reported, until the peer closes the connection or answers with BYE; then
     * {@link CloseReason#LOCAL}. Nothing more is sent after the BYE (a PING gets no PONG). Before
     * the handshake completed, or with no linger, this is {@link #close(long)}.
     */
    public void closeLingering(long nowMillis, long lingerMillis) {
        if (state != State.ESTABLISHED || lingerMillis <= 0) {
            if (state != State.CLOSING) {
                close(nowMillis);
            }
            return;
        }
        try {
            sendSealed(PacketType.BYE, new byte[0], 0, 0, nowMillis);
        } catch (UsmpException e) {
            end(CloseReason.LOCAL, null, true);
            return;
        }
        state = State.CLOSING;
        lingerDeadline = deadline(nowMillis, lingerMillis);
    }

    /**
     * Ends the session at once, without BYE, dropping unsent output (for a peer that does not read:
     * what it was meant to get must never leave late). {@link CloseReason#LOCAL}. Idempotent.
     */
    public void abort(long nowMillis) {
        if (state != State.CLOSED) {
            end(CloseReason.LOCAL, null, false);
        }
    }

    /** True after {@link #closeLingering} sent BYE and while the peer's last messages are read. */
    public boolean isClosing() {
        return state == State.CLOSING;
    }

    /** The transport saw end of stream or an I/O error. */
    public void transportClosed(long nowMillis) {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.CLOSING) {
            end(CloseReason.LOCAL, null, false); // the peer closed after our BYE: the orderly end
            return;
        }
        if (state == State.HANDSHAKE) {
            end(CloseReason.HANDSHAKE, new HandshakeException("connection closed during handshake"), false);
        } else {
            end(CloseReason.PEER_DISCONNECTED, new PeerClosedException(), false);
        }
    }

    /**
     * Server: a complete HELLO must arrive by {@code deadlineMillis} (SPEC §6: a short time once a
     * handshake slot is granted), else the handshake ends with a timeout at the next {@link #tick}.
     */
    public void requireHelloBy(long deadlineMillis) {
        helloDeadline = deadlineMillis;
    }

    private boolean awaitingHello() {
        return !client && state == State.HANDSHAKE && deviceId() == null;
    }

    /**
     * The transport stopped reading because its consumer is behind (backpressure). Liveness means
     * the peer is alive, not that our consumer keeps up: until {@link #readingResumed(long)} the
     * server watchdog does not run. Idempotent.
     */
    public void readingPaused(long nowMillis) {
        if (!readingPaused) {
            readingPaused = true;
            pausedSince = nowMillis;
        }
    }

    /**
     * Reading resumed: the watchdog window restarts at {@code nowMillis}. What the peer sent during
     * the pause now arrives as a burst, so up to {@value #FLOOD_LIMIT} PING/PONG frames per started
     * second of the pause are not counted as a flood (the peer may have sent them at the allowed
     * rate while we were not reading). Idempotent.
     */
    public void readingResumed(long nowMillis) {
        if (!readingPaused) {
            return;
        }
        readingPaused = false;
        lastRx = Math.max(lastRx, nowMillis);
        long pausedFor = Math.max(0, nowMillis - pausedSince);
        long seconds = Math.min(86_400, (pausedFor + FLOOD_WINDOW_MILLIS - 1) / FLOOD_WINDOW_MILLIS);
        // Added, not replaced, and kept until used: the backlog may be decoded over several resumes
        // of a busy gateway. Bounded by the pauses' length, so it cannot hide a sustained flood.
        floodCredit = Math.min(MAX_FLOOD_CREDIT, floodCredit + seconds * FLOOD_LIMIT);
    }

    /** True between {@link #readingPaused(long)} and {@link #readingResumed(long)}. */
    public boolean isReadingPaused() {
        return readingPaused;
    }

    /**
     * The transport's output stopped draining (the peer does not read). Once blocked for the
     * slow-consumer timeout, {@link #tick(long)} closes the session with
     * {@link CloseReason#SLOW_CONSUMER} (no BYE: the peer would not read it). Idempotent.
     */
    public void outputBlocked(long nowMillis) {
        if (!outputBlocked) {
            outputBlocked = true;
            blockedSince = nowMillis;
        }
    }

    /** The transport's output drains again; the slow-consumer timer stops. */
    public void outputUnblocked(long nowMillis) {
        outputBlocked = false;
    }

    /**
     * Runs due timers: handshake and HELLO timeouts, server watchdog, slow consumer, client
     * keepalive, and the release of an idle session's cipher objects.
     */
    public void tick(long nowMillis) {
        guarded(() -> {
            if (state == State.HANDSHAKE && nowMillis >= handshakeDeadline) {
                if (pendingAuth != null) {
                    throw pendingAuth;
                }
                throw new UsmpTimeoutException("handshake not completed within " + settings.handshakeTimeout().toMillis() + " ms");
            }
            if (datagram && state != State.CLOSED && !arq.tick(nowMillis, output::add)) {
                if (closingAfterDrain) {
                    end(CloseReason.LOCAL, null, true);
                    return;
                }
                if (state == State.HANDSHAKE && pendingAuth != null) {
                    throw pendingAuth; // the device that sent a bad MAC went away
                }
                throw new UsmpTimeoutException("no acknowledgement after " + arq.tries() + " sends of a frame");
            }
            if (awaitingHello() && nowMillis >= helloDeadline) {
                throw new UsmpTimeoutException("no complete HELLO in time after a handshake slot was granted");
            }
            if (state == State.CLOSING && nowMillis >= lingerDeadline) {
                end(CloseReason.LOCAL, null, true);
                return;
            }
            if (state != State.ESTABLISHED || closingAfterDrain) {
                return;
            }
            if (outputBlocked && nowMillis >= deadline(blockedSince, settings.slowConsumerTimeout().toMillis())) {
                throw new BackpressureException("peer has not drained its output for "
                        + settings.slowConsumerTimeout().toMillis() + " ms");
            }
            if (!client && !readingPaused && nowMillis >= deadline(lastRx, settings.sessionTimeout().toMillis())) {
                throw new UsmpTimeoutException("nothing received for " + settings.sessionTimeout().toMillis() + " ms");
            }
            if (client && nowMillis >= deadline(lastTx, settings.keepalive().toMillis())) {
                sendControl(PacketType.PING, nowMillis);
            }
            if (nowMillis >= cipherReleaseDeadline()) {
                secrets.release();
            }
        });
    }

    /**
     * When an idle session's keyed AES-GCM objects are dropped (~1.5 KB of the ~5 KB a session
     * that has talked weighs), or {@link Long#MAX_VALUE} when it holds none. Not while reading is
     * paused: frames are waiting then, and a timer due during a pause makes the transport hand
     * them over (it takes that timer for the slow-consumer close).
     */
    private long cipherReleaseDeadline() {
        return readingPaused || !secrets.holdsCiphers() ? Long.MAX_VALUE
                : deadline(lastCipherUse, settings.cipherIdleRelease().toMillis());
    }

    /** When {@link #tick(long)} next has work, or {@link Long#MAX_VALUE}. */
    public long nextDeadline() {
        long timers = timerDeadline();
        return datagram && state != State.CLOSED ? Math.min(timers, arq.nextDeadline()) : timers;
    }

    private long timerDeadline() {
        if (closingAfterDrain) {
            return Long.MAX_VALUE;
        }
        switch (state) {
            case HANDSHAKE:
                return awaitingHello() ? Math.min(handshakeDeadline, helloDeadline) : handshakeDeadline;
            case CLOSING:
                return lingerDeadline;
            case ESTABLISHED:
                long timer = client ? deadline(lastTx, settings.keepalive().toMillis())
                        : readingPaused ? Long.MAX_VALUE : deadline(lastRx, settings.sessionTimeout().toMillis());
                timer = Math.min(timer, cipherReleaseDeadline());
                return outputBlocked ? Math.min(timer, deadline(blockedSince, settings.slowConsumerTimeout().toMillis())) : timer;
            default:
                return Long.MAX_VALUE;
        }
    }

    /** The next encoded frame to write, or {@code null}. */
    public byte[] pollOutput() {
        byte[] ack = acks == null ? null : acks.poll();
        return ack != null ? ack : output.poll();
    }

    /**
     * Takes the next event if it is {@link EngineEvent.Established}, else {@code null}: a transport
     * registers the session before it writes the SESSION_OK that comes with it.
     */
    public EngineEvent.Established pollEstablished() {
        return events.peek() instanceof EngineEvent.Established ? (EngineEvent.Established) events.poll() : null;
    }

    /** The next event, or {@code null}. */
    public EngineEvent pollEvent() {
        return events.poll();
    }

    public boolean isEstablished() {
        return state == State.ESTABLISHED;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }

    /** The peer's (or, for a client, its own) device id once known, else {@code null}. */
    public DeviceId deviceId() {
        if (peer != null) {
            return peer;
        }
        return handshake instanceof ServerHandshake s ? s.device() : null; // null once established: peer is set
    }

    /** True unless a session's keys are live: before establishment, and once they were wiped (for tests and audits). */
    public boolean keysWiped() {
        return keysWiped;
    }

    /** True while the session holds a keyed AES-GCM object (for tests of the idle release). */
    boolean holdsCiphers() {
        return secrets != null && secrets.holdsCiphers();
    }

    /** Test hook: continue from given counters, to reach sequence exhaustion without 2^32 frames. */
    void jumpSequences(long tx, long rx) {
        txSeq = tx;
        rxSeq = rx;
    }

    private void onFrame(Frame frame, long now) {
        if (state == State.CLOSED) {
            return; // frames after a violation or BYE in the same read are discarded
        }
        guarded(() -> {
            if (state == State.HANDSHAKE) {
                onHandshakeFrame(frame, now);
            } else {
                onSessionFrame(frame, now);
            }
        });
    }

    private void onHandshakeFrame(Frame frame, long now) throws UsmpException {
        if (frame.type().isEncrypted()) {
            throw new HandshakeException(frame.type() + " before the handshake completed");
        }
        afterHandshakeStep(handshake.receive(frame), now);
    }

    private void afterHandshakeStep(Frame reply, long now) throws UsmpException {
        if (reply != null) {
            queue(reply, now);
        }
        SessionSecrets done = handshake.result();
        if (done != null) {
            handshake.destroy();
            handshake = null;
            secrets = done;
            peer = done.deviceId();
            keysWiped = false;
            state = State.ESTABLISHED;
            lastRx = now;
            lastTx = now;
            events.add(new EngineEvent.Established(done.deviceId(), done.sessionId()));
        }
    }

    private void onSessionFrame(Frame frame, long now) throws UsmpException {
        PacketType type = frame.type();
        if (!type.isEncrypted()) {
            throw new FrameException(type + " after the handshake completed");
        }
        if (frame.length() < Frame.SEALED_OVERHEAD) {
            throw new FrameException(type + " payload of " + frame.length() + " bytes cannot hold nonce and tag");
        }
        if (frame.seq() != rxSeq) {
            throw new SequenceException("expected seq " + rxSeq + ", got " + frame.seq());
        }
        lastCipherUse = now;
        byte[] plaintext = secrets.receiver().open(type, frame.seq(), frame.payload());
        if (frame.seq() > LAST_USABLE_SEQ && type != PacketType.BYE) {
            throw new SequenceException("seq 0xFFFFFFFF is reserved for BYE");
        }
        rxSeq++;
        lastRx = now;
        process(type, plaintext, now);
    }

    /** An authenticated session frame's plaintext: reassembly, PING/PONG, BYE (both modes). */
    private void process(PacketType type, byte[] plaintext, long now) throws UsmpException {
        switch (type) {
            case DATA_FRAG:
                if (fragments == Limits.MAX_FRAGMENTS - 1) {
                    throw new PayloadException("message exceeds " + Limits.MAX_FRAGMENTS + " frames");
                }
                fragments++;
                if (reassembly == null) {
                    reassembly = new ByteArrayOutputStream(2 * Limits.MAX_FRAGMENT);
                }
                reassembly.write(plaintext, 0, plaintext.length);
                break;
            case DATA:
                byte[] message = plaintext; // a message of one frame is its plaintext: no copy
                if (fragments > 0) {
                    reassembly.write(plaintext, 0, plaintext.length);
                    message = reassembly.toByteArray();
                    reassembly = null; // not kept: an idle session would hold its largest message's buffer
                    fragments = 0;
                }
                events.add(new EngineEvent.Message(message));
                break;
            case PING:
            case PONG:
                requireNoPartialMessage(type);
                if (type == PacketType.PONG && pingsUnanswered > 0) {
                    // Answers our PING: not a flood even when a delayed batch of them arrives at once
                    // (the peer's gateway paused reading while we kept pinging).
                    pingsUnanswered--;
                    long answered = pingsSent - pingsUnanswered;
                    if (answered <= probeAwaited) {
                        events.add(new EngineEvent.Pong(answered));
                    }
                } else {
                    countKeepalive(now);
                }
                if (type == PacketType.PING && state == State.ESTABLISHED) {
                    sendControl(PacketType.PONG, now);
                }
                break;
            case BYE:
                requireNoPartialMessage(type);
                if (state == State.CLOSING) {
                    end(CloseReason.LOCAL, null, true); // the peer answered our BYE
                } else {
                    end(CloseReason.PEER_BYE, new ConnectionClosedException("peer sent BYE", CloseReason.PEER_BYE), false);
                }
                break;
            default:
                throw new FrameException("unexpected " + type);
        }
    }

    private void requireNoPartialMessage(PacketType type) throws SequenceException {
        if (fragments > 0) {
            throw new SequenceException(type + " while a message was half received");
        }
    }

    private void countKeepalive(long now) throws SequenceException {
        if (floodCredit > 0) {
            floodCredit--; // part of the backlog of a pause, not a flood
            return;
        }
        int slot = keepaliveCount % FLOOD_LIMIT;
        if (keepaliveCount >= FLOOD_LIMIT && now - keepaliveTimes[slot] < FLOOD_WINDOW_MILLIS) {
            throw new SequenceException("more than " + FLOOD_LIMIT + " PING/PONG frames within 1 s");
        }
        keepaliveTimes[slot] = now;
        keepaliveCount++;
    }

    private void checkOpen() throws ConnectionClosedException {
        if (state == State.CLOSED || state == State.CLOSING) {
            throw new ConnectionClosedException("session closed", CloseReason.LOCAL);
        }
        if (state != State.ESTABLISHED) {
            throw new IllegalStateException("handshake not complete");
        }
        if (closingAfterDrain) {
            throw new ConnectionClosedException("session closing", CloseReason.LOCAL);
        }
    }

    private void sendControl(PacketType type, long now) throws UsmpException {
        if (txSeq > LAST_USABLE_SEQ) {
            throw new SequenceException("sequence space exhausted");
        }
        sendSealed(type, new byte[0], 0, 0, now);
        if (type == PacketType.PING) {
            pingsUnanswered++;
            pingsSent++;
        }
    }

    private void sendSealed(PacketType type, byte[] plain, int off, int len, long now) throws UsmpException {
        lastCipherUse = now;
        byte[] payload = secrets.sender().seal(type, txSeq, plain, off, len);
        queue(Frame.of(type, txSeq, payload), now);
        txSeq++;
    }

    private void queue(Frame frame, long now) {
        if (datagram) {
            // A cookieless HELLO is complete only when answered: the gateway sends its HELLO_RETRY once.
            boolean replyOnly = client && frame.type() == PacketType.HELLO && frame.length() == ServerHandshake.HELLO_LENGTH;
            arq.enqueue(new StopAndWait.Entry(frame.encode(), frame.type().code(), frame.seq(), replyOnly), now, output::add);
        } else {
            output.add(frame.encode());
        }
        lastTx = now;
    }

    private void closeWithBye(CloseReason reason, UsmpException cause, long now) {
        if (datagram && state == State.ESTABLISHED && reason == CloseReason.LOCAL && txSeq <= Frame.MAX_SEQ) {
            // Queued behind the frames not yet acknowledged; the session ends once the BYE is (or fails).
            try {
                byeSeq = txSeq;
                sendSealed(PacketType.BYE, new byte[0], 0, 0, now);
                closingAfterDrain = true;
                return;
            } catch (UsmpException e) {
                // fall through: end at once
            }
        }
        if (state == State.ESTABLISHED) {
            try {
                sendSealed(PacketType.BYE, new byte[0], 0, 0, now);
            } catch (UsmpException e) {
                // The session is ending either way; the peer's watchdog covers a missing BYE.
            }
        }
        end(reason, cause, true);
    }

    private void end(CloseReason reason, UsmpException cause, boolean keepOutput) {
        state = State.CLOSED;
        if (!keepOutput) {
            output.clear();
        }
        if (arq != null) {
            arq.clear(); // nothing is resent after the end (output already holds what was sent)
        }
        if (handshake != null) {
            handshake.destroy();
        }
        if (secrets != null) {
            secrets.destroy();
            keysWiped = secrets.sender().isDestroyed() && secrets.receiver().isDestroyed();
            secrets = null;
        }
        reassembly = null; // what was reassembled is dropped with it
        fragments = 0;
        events.add(new EngineEvent.Closed(reason, cause));
    }

    private interface Step {
        void run() throws UsmpException;
    }

    /** Runs a step; any failure becomes a fail-fast close with the typed cause. */
    private void guarded(Step step) {
        try {
            step.run();
        } catch (UsmpException e) {
            if (state != State.CLOSED) {
                end(e.reason(), e, false);
            }
        } catch (RuntimeException e) {
            if (state != State.CLOSED) {
                end(CloseReason.INTERNAL, new UsmpException("internal failure", e), false);
            }
        }
    }

    private static long deadline(long from, long interval) {
        return interval <= 0 ? Long.MAX_VALUE : from + interval;
    }
}
