package io.usmp.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.ServerConfig;
import io.usmp.Refusal;
import io.usmp.ServerListener;
import io.usmp.ServerStatistics;
import io.usmp.TransportKind;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.UsmpTransport;
import io.usmp.handshake.KeyPairSource;
import io.usmp.session.EngineEvent;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import io.usmp.session.Warmup;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway: a Netty TCP acceptor and/or a UDP socket ({@link UdpGateway}), SPEC §6 admission,
 * one {@link UsmpEngine} per connection or UDP peer. Sessions of both transports share the session
 * map, the per-device delivery lines, backpressure and statistics (a device reconnecting over the
 * other transport supersedes its session like any reconnect).
 */
final class TcpGateway implements UsmpServer {
    private static final System.Logger LOG = System.getLogger(TcpGateway.class.getName());
    private static final long BIND_RETRY_MILLIS = 2_000;
    /**
     * Key pairs made before the port opens, for a fleet reconnecting after a restart (see
     * {@link KeyPairReserve}): ~50-100 ms of start-up on this project's 2-core machine, held 60 s at most.
     */
    static final int KEY_PAIR_RESERVE = 1024;
    static final long KEY_PAIR_RESERVE_LIFETIME_NANOS = 60_000_000_000L;
    /** Smallest buffer a socket read uses (Netty's adaptive allocator would shrink to 64 bytes after small reads). */
    static final int MIN_READ_BUFFER = 2 * 1024;
    /**
     * Largest buffer one socket read fills (Netty's adaptive allocator, 2 KiB initially). While a
     * session's reading is paused, at most one such read waits in its handler: this bounds input
     * memory per session together with the inbound queue capacity.
     */
    static final int MAX_READ_BUFFER = 64 * 1024;

    private final ServerConfig config;
    /** False for {@link SocketWarmup}'s private gateway: no INFO lines, no key pair reserve. */
    private final boolean serving;
    private final ServerListener listener;
    private final GatewaySession.Listener sessionListener;
    /** Protocol time (engines, admission); real waits (bind retry, close grace) use {@link Clock#SYSTEM}. */
    private final Clock clock;
    private final EngineSettings settings;
    /** Null when the configuration brings its own key pairs (deterministic tests) or for the warm-up's gateway. */
    private final KeyPairReserve keyPairReserve;
    private final Admission admission;
    private final NettyTransport transport;
    private final boolean ownsTransport;
    private final DeliveryScheduler<DeviceId> delivery;
    private final ExecutorService ownedDelivery;
    private final Map<DeviceId, GatewaySession> sessions = new ConcurrentHashMap<>();
    /** Each device's latest session until its onClosed is queued: a new session queues its calls behind it. */
    private final Map<DeviceId, GatewaySession> latest = new ConcurrentHashMap<>();
    private final Map<Channel, Boolean> channels = new ConcurrentHashMap<>();
    /** Sessions whose onClosed has not yet been delivered; notified when one finishes. */
    private final Set<GatewaySession> undelivered = ConcurrentHashMap.newKeySet();
    private final LongAdder handshakesOk = new LongAdder();
    private final Map<CloseReason, LongAdder> handshakeFailures = counters(CloseReason.class);
    private final Map<CloseReason, LongAdder> sessionsClosed = counters(CloseReason.class);
    private final Map<Refusal, LongAdder> refusals = counters(Refusal.class);
    private final RefusalLog refusalLog = new RefusalLog();
    private final WarningLimiter warnings = new WarningLimiter(WarningLimiter.DEFAULT_PER_SECOND);
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final EngineHandler.OutputPolicy outputPolicy = new EngineHandler.OutputPolicy(new LongAdder(), new LongAdder());
    private Channel serverChannel;
    private UdpGateway udp;
    private volatile boolean closing;

    private TcpGateway(ServerConfig config, ServerListener listener, Clock clock, boolean serving) {
        this.config = config;
        this.serving = serving;
        this.listener = listener;
        this.sessionListener = GatewaySession.Listener.of(listener);
        this.clock = clock;
        EngineSettings defaults = EngineSettings.defaults(config.crypto());
        KeyPairSource fresh = () -> config.crypto().generateKeyPair(config.random());
        this.keyPairReserve = config.keyPairs() != null || !serving ? null
                : new KeyPairReserve(fresh, KEY_PAIR_RESERVE, KEY_PAIR_RESERVE_LIFETIME_NANOS, System::nanoTime);
        this.settings = new EngineSettings(config.crypto(), config.random(),
                keyPairReserve != null ? keyPairReserve : config.keyPairs() != null ? config.keyPairs() : fresh,
                config.handshakeTimeout(), defaults.keepalive(), config.sessionTimeout(), config.slowConsumerTimeout());
        this.admission = new Admission(config);
        UsmpTransport t = config.transport();
        this.ownsTransport = t == null;
        this.transport = t == null ? NettyTransport.withThreadFactory(2, NettyTransport.daemonThreads("usmp-gateway-io"))
                : NettyTransport.of(t);
        Executor executor = config.deliveryExecutor();
        if (executor == null) {
            ownedDelivery = Executors.newFixedThreadPool(config.maxConcurrentDeliveries(),
                    NettyTransport.daemonThreads("usmp-delivery"));
            executor = ownedDelivery;
        } else {
            ownedDelivery = null;
        }
        this.delivery = new DeliveryScheduler<>(executor, config.maxConcurrentDeliveries(), config.deliveryTurn());
    }

    private static <E extends Enum<E>> Map<E, LongAdder> counters(Class<E> type) {
        Map<E, LongAdder> m = new EnumMap<>(type);
        for (E e : type.getEnumConstants()) {
            m.put(e, new LongAdder());
        }
        return m;
    }

    /** Warms up, binds, and starts accepting. */
    static TcpGateway start(ServerConfig config, ServerListener listener, Clock clock) throws IOException {
        Warmup.run(config.crypto());
        if (config.transports().contains(TransportKind.TCP)) {
            SocketWarmup.once(config);
        }
        return open(config, listener, clock, true);
    }

    /** Binds and starts accepting; {@code serving} false for {@link SocketWarmup}'s private gateway. */
    static TcpGateway open(ServerConfig config, ServerListener listener, Clock clock, boolean serving) throws IOException {
        TcpGateway gateway = new TcpGateway(config, listener, clock, serving);
        try {
            gateway.bind();
        } catch (IOException | RuntimeException e) {
            gateway.releaseResources();
            throw e;
        }
        return gateway;
    }

    NettyTransport transport() {
        return transport;
    }

    private void bind() throws IOException {
        if (config.transports().contains(TransportKind.TCP)) {
            bindTcp();
        }
        if (config.transports().contains(TransportKind.UDP)) {
            udp = new UdpGateway(this, config, settings, admission, clock, () -> System.currentTimeMillis() / 1000, bytesIn,
                    bytesOut, outputPolicy.sendsRefused());
            udp.bind(transport);
            LOG.log(Level.INFO, "USMP gateway listening on udp {0}", udp.localAddress());
        }
    }

    private void bindTcp() throws IOException {
        // No TCP_NODELAY option: Netty enables it on every accepted socket already, and setting it
        // again cost a second setsockopt per connection.
        ServerBootstrap b = new ServerBootstrap()
                .group(transport.group())
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()))
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(MIN_READ_BUFFER, MIN_READ_BUFFER, MAX_READ_BUFFER))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accept(ch);
                    }
                });
        // A listener closed a moment ago (a redeploy) keeps its port until its selector runs again:
        // NIO defers the close of a registered channel. Retry "address in use" briefly.
        long deadline = Clock.SYSTEM.millis() + BIND_RETRY_MILLIS;
        while (true) {
            try {
                serverChannel = b.bind(config.bindHost(), config.port()).syncUninterruptibly().channel();
                break;
            } catch (Exception e) { // Netty rethrows the checked BindException undeclared
                if (!(e instanceof java.net.BindException) || config.port() == 0 || Clock.SYSTEM.millis() >= deadline) {
                    throw new IOException("cannot listen on " + config.bindHost() + ":" + config.port() + ": " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while binding " + config.bindHost() + ":" + config.port(), ie);
                }
            }
        }
        if (serving) {
            LOG.log(Level.INFO, "USMP gateway listening on {0}", serverChannel.localAddress());
        }
    }

    /** A new glue object for a UDP peer that holds a handshake slot. */
    Link udpLink(InetSocketAddress remote) {
        Link link = new Link(remote);
        link.holdsSlot = true;
        return link;
    }

    /** Counts and logs a refusal (UDP: the datagram is dropped). */
    void refused(Refusal refusal, InetAddress ip, long now) {
        refusals.get(refusal).increment();
        refusalLog.refused(ip, refusal, now);
    }

    boolean isClosing() {
        return closing;
    }

    private void accept(SocketChannel ch) {
        InetSocketAddress remote = ch.remoteAddress();
        InetAddress ip = remote.getAddress();
        long now = clock.millis();
        Refusal refusal = closing ? Refusal.SHUTTING_DOWN : admission.admit(ip, now);
        if (refusal != null) {
            refusals.get(refusal).increment();
            refusalLog.refused(ip, refusal, now);
            ch.close();
            return;
        }
        channels.put(ch, Boolean.TRUE);
        ch.config().setAutoRead(false);
        Connection conn = new Connection(ch, remote);
        ch.pipeline().addLast(conn.handler);
        ch.closeFuture().addListener(f -> {
            channels.remove(ch);
            admission.release(ip);
        });
        if (admission.acquireSlot(ip, conn.resume)) {
            conn.slotGranted();
        }
    }

    /** The per-connection glue of a TCP connection: waits for its handshake slot unread. */
    private final class Connection extends Link {
        final SocketChannel ch;
        final EngineHandler handler;
        final Runnable resume = this::slotGranted;

        Connection(SocketChannel ch, InetSocketAddress remote) {
            super(remote);
            this.ch = ch;
            this.handler = new EngineHandler(UsmpEngine.server(settings, config.psks(), clock.millis()), this, clock, bytesIn,
                    bytesOut, outputPolicy);
        }

        void slotGranted() {
            ch.eventLoop().execute(() -> {
                if (!ch.isOpen()) {
                    admission.releaseSlot(remote.getAddress());
                    return;
                }
                holdsSlot = true;
                handler.requireHelloBy(clock.millis() + config.helloTimeout().toMillis());
                ch.config().setAutoRead(true);
            });
        }

        @Override
        void releaseSlot() {
            if (holdsSlot) {
                super.releaseSlot();
            } else {
                admission.cancelWaiting(resume);
            }
        }
    }

    /** The glue between one session channel's engine events and the gateway (TCP connection or UDP peer). */
    class Link implements EngineHandler.Events {
        final InetSocketAddress remote;
        boolean holdsSlot;
        GatewaySession session;

        Link(InetSocketAddress remote) {
            this.remote = remote;
        }

        void releaseSlot() {
            if (holdsSlot) {
                holdsSlot = false;
                admission.releaseSlot(remote.getAddress());
            }
        }

        @Override
        public void established(SessionChannel h, EngineEvent.Established e) {
            releaseSlot();
            admission.handshakeSucceeded(remote.getAddress());
            handshakesOk.increment();
            session = new GatewaySession(h, e.deviceId(), e.sessionId(), remote, sessionListener, delivery, config.inboundQueueCapacity(),
                    messagesOut, this::finished, config.closeLinger().toMillis());
            undelivered.add(session);
            GatewaySession unfinished = latest.put(e.deviceId(), session);
            if (unfinished != null) {
                // The old session hands over what it already read when it closes (on its own event
                // loop); this one's listener calls queue behind that, so the device's order holds.
                session.after(unfinished);
            }
            GatewaySession previous = sessions.put(e.deviceId(), session);
            if (previous != null) {
                if (LOG.isLoggable(Level.DEBUG)) {
                    LOG.log(Level.DEBUG, "device {0} reconnected; closing its previous session", e.deviceId());
                }
                previous.close();
            }
            // Per-session lines are DEBUG (statistics() counts sessions): at fleet scale INFO per
            // session was a measurable share of the handshake's CPU. Nothing is formatted unless logged.
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "session established device={0} remote={1}", e.deviceId(), remote);
            }
            session.opened();
        }

        private void finished() {
            undelivered.remove(session);
            synchronized (undelivered) {
                undelivered.notifyAll();
            }
        }

        @Override
        public boolean message(SessionChannel h, byte[] payload) {
            messagesIn.increment();
            return session.message(payload);
        }

        @Override
        public void closed(SessionChannel h, EngineEvent.Closed e) {
            if (session == null) {
                releaseSlot();
                handshakeFailures.get(e.reason()).increment();
                if (e.reason() == CloseReason.AUTH) {
                    // SPEC §6: only a bad MAC or an unknown device counts toward the lockout.
                    admission.authenticationFailed(remote.getAddress(), clock.millis());
                }
                DeviceId device = h.engine().deviceId();
                long suppressed = warnings.admit(clock.millis());
                if (suppressed >= 0 && LOG.isLoggable(Level.WARNING)) {
                    LOG.log(Level.WARNING, "handshake failed remote={0} device={1} reason={2}{3}", remote,
                            device == null ? "-" : device, e.reason().kind(), WarningLimiter.suffix(suppressed));
                }
                try {
                    listener.onHandshakeFailed(remote, device, e.cause());
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "listener failed in onHandshakeFailed: " + ex.getClass().getName(), ex);
                }
                return;
            }
            sessionsClosed.get(e.reason()).increment();
            if (e.reason().isViolation()) {
                long suppressed = warnings.admit(clock.millis());
                if (suppressed >= 0 && LOG.isLoggable(Level.WARNING)) {
                    LOG.log(Level.WARNING, "session closed device={0} reason={1}{2}", session.deviceId(), e.reason().kind(),
                            WarningLimiter.suffix(suppressed));
                }
            } else if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "session closed device={0} reason={1}", session.deviceId(), e.reason().kind());
            }
            sessions.remove(session.deviceId(), session);
            session.closed(e.reason(), e.cause());
            // Only once all of its listener calls are queued, which may be later than now when they are
            // held behind a predecessor's: a new session of the device that no longer finds this one here
            // must find them on the line already (see GatewaySession.after), or its messages would pass them.
            GatewaySession ended = session;
            ended.allQueued().thenRun(() -> latest.remove(ended.deviceId(), ended));
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return serverChannel != null ? (InetSocketAddress) serverChannel.localAddress() : udp.localAddress();
    }

    @Override
    public Optional<InetSocketAddress> udpAddress() {
        return udp == null ? Optional.empty() : Optional.of(udp.localAddress());
    }

    @Override
    public Optional<UsmpSession> session(DeviceId device) {
        return Optional.ofNullable(sessions.get(device));
    }

    @Override
    public Collection<UsmpSession> sessions() {
        return List.copyOf(sessions.values());
    }

    @Override
    public ServerStatistics statistics() {
        long outbound = 0;
        for (GatewaySession s : sessions.values()) {
            outbound += s.handler().outboundPending();
        }

        return new ServerStatistics(sessions.size(), handshakesOk.sum(), snapshot(handshakeFailures), snapshot(refusals),
                admission.lockouts(), messagesIn.sum(), messagesOut.sum(), bytesIn.sum(), bytesOut.sum(), snapshot(sessionsClosed),
                outbound, outputPolicy.unwritableEvents().sum(), outputPolicy.sendsRefused().sum());
    }

    /** Listener calls queued (not yet started) on a device's delivery line (test seam). */
    int queuedDeliveries(DeviceId device) {
        return delivery.queued(device);
    }

    private static <E extends Enum<E>> Map<E, Long> snapshot(Map<E, LongAdder> counters) {
        Map<E, Long> m = new HashMap<>();
        counters.forEach((r, n) -> {
            long v = n.sum();
            if (v > 0) {
                m.put(r, v);
            }
        });
        return m;
    }

    @Override
    public void close(long graceMillis) {
        if (closing) {
            return;
        }
        closing = true;
        long deadline = Clock.SYSTEM.millis() + Math.max(0, graceMillis);
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(graceMillis);
        }
        List.copyOf(sessions.values()).forEach(GatewaySession::close);
        try {
            awaitListenerIdle(Math.max(0, deadline - Clock.SYSTEM.millis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Channel ch : List.copyOf(channels.keySet())) {
            ch.close().awaitUninterruptibly(Math.max(1, deadline - Clock.SYSTEM.millis()));
        }
        if (udp != null) {
            udp.close(Math.max(1, deadline - Clock.SYSTEM.millis()));
        }
        releaseResources();
        if (serving) {
            LOG.log(Level.INFO, "USMP gateway closed");
        }
    }

    @Override
    public boolean awaitListenerIdle(long timeoutMillis) throws InterruptedException {
        long deadline = Clock.SYSTEM.millis() + timeoutMillis;
        synchronized (undelivered) {
            while (!undelivered.isEmpty()) {
                long left = deadline - Clock.SYSTEM.millis();
                if (left <= 0) {
                    return false;
                }
                undelivered.wait(left);
            }
        }
        return true;
    }

    private void releaseResources() {
        if (keyPairReserve != null) {
            keyPairReserve.drop();
        }
        if (ownsTransport) {
            transport.close();
        }
        if (ownedDelivery != null) {
            ownedDelivery.shutdown();
            try {
                ownedDelivery.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
