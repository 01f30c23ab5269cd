package io.usmp.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.usmp.TransportKind;
import io.usmp.ClientConfig;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.ConnectionClosedException;
import io.usmp.UsmpClient;
import io.usmp.protocol.UsmpException;
import io.usmp.protocol.UsmpTimeoutException;
import io.usmp.session.EngineEvent;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import io.usmp.protocol.Limits;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/** The blocking device-side client, over TCP ({@link EngineHandler}) or UDP ({@link DatagramSession}). */
final class DeviceClient implements UsmpClient, EngineHandler.Events {
    /** Marks the end of the receive queue. */
    private static final byte[] END = new byte[0];

    private final ClientConfig config;
    private final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<byte[]> established = new CompletableFuture<>();
    private volatile SessionChannel handler;
    private volatile EngineEvent.Closed closed;
    private boolean paused;

    private DeviceClient(ClientConfig config) {
        this.config = config;
    }

    private UsmpEngine engine() {
        EngineSettings defaults = EngineSettings.defaults(config.crypto());
        EngineSettings settings = defaults.withTimeouts(config.handshakeTimeout(), config.keepalive(), Duration.ZERO)
                .withArq(config.udpTries(), config.udpRetryInterval());
        byte[] psk = config.psk();
        try {
            return config.transportKind() == TransportKind.UDP
                    ? UsmpEngine.datagramClient(settings, config.deviceId(), psk, Clock.SYSTEM.millis())
                    : UsmpEngine.client(settings, config.deviceId(), psk, Clock.SYSTEM.millis());
        } finally {
            Arrays.fill(psk, (byte) 0);
        }
    }

    /** Connects, completes the handshake and returns the open client. */
    static DeviceClient connect(ClientConfig config) throws IOException {
        DeviceClient client = new DeviceClient(config);
        NettyTransport transport = config.transport() == null ? NettyTransport.shared() : NettyTransport.of(config.transport());
        if (config.transportKind() == TransportKind.UDP) {
            client.openUdp(transport);
        } else {
            client.openTcp(transport);
        }
        client.awaitHandshake();
        return client;
    }

    private void openTcp(NettyTransport transport) throws IOException {
        EngineHandler tcp = new EngineHandler(engine(), this, Clock.SYSTEM, new LongAdder(), new LongAdder());
        handler = tcp;
        ChannelFuture connect = new Bootstrap()
                .group(transport.group())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .handler(tcp)
                .connect(config.host(), config.port());
        if (!connect.awaitUninterruptibly(config.connectTimeout().toMillis() + 1000) || !connect.isSuccess()) {
            connect.channel().close();
            Throwable cause = connect.cause();
            throw new IOException("cannot connect to " + config.host() + ":" + config.port()
                    + (cause == null ? "" : ": " + cause.getMessage()), cause);
        }
    }

    /**
     * A datagram channel connected to the gateway (the kernel then drops datagrams from any other
     * source), its datagrams handed to the session on its event loop.
     */
    private void openUdp(NettyTransport transport) throws IOException {
        DatagramSession[] session = new DatagramSession[1];
        InetSocketAddress remote = new InetSocketAddress(config.host(), config.port());
        if (remote.isUnresolved()) {
            throw new IOException("cannot resolve " + config.host());
        }
        ChannelFuture connect = new Bootstrap()
                .group(transport.group())
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        ByteBuf content = packet.content();
                        byte[] data = new byte[content.readableBytes()];
                        content.getBytes(content.readerIndex(), data);
                        session[0].datagram(data);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // ICMP port unreachable and the like: the ARQ decides when the gateway is gone.
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        session[0].transportClosed();
                    }
                })
                .connect(remote);
        if (!connect.awaitUninterruptibly(config.connectTimeout().toMillis() + 1000) || !connect.isSuccess()) {
            connect.channel().close();
            Throwable cause = connect.cause();
            throw new IOException("cannot open UDP to " + config.host() + ":" + config.port()
                    + (cause == null ? "" : ": " + cause.getMessage()), cause);
        }
        Channel ch = connect.channel();
        session[0] = new DatagramSession(engine(), ch, remote, this, Clock.SYSTEM, new LongAdder(), new LongAdder(),
                Long.MAX_VALUE, null, ch::close);
        handler = session[0];
        session[0].start();
    }

    private void awaitHandshake() throws IOException {
        try {
            established.get(config.handshakeTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            handler.abort();
            throw e.getCause() instanceof UsmpException u ? u : new UsmpException("handshake failed", e.getCause());
        } catch (TimeoutException e) {
            handler.abort();
            throw new UsmpTimeoutException("handshake not completed in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handler.abort();
            throw new IOException("interrupted during handshake", e);
        }
    }

    @Override
    public void established(SessionChannel h, EngineEvent.Established event) {
        established.complete(event.sessionId());
    }

    @Override
    public boolean message(SessionChannel h, byte[] payload) {
        received.add(payload);
        synchronized (this) {
            paused = received.size() >= config.receiveQueueCapacity();
            return paused;
        }
    }

    @Override
    public void closed(SessionChannel h, EngineEvent.Closed event) {
        closed = event;
        received.add(END);
        established.completeExceptionally(event.cause() != null ? event.cause()
                : new ConnectionClosedException("closed during handshake", event.reason()));
    }

    @Override
    public byte[] sessionId() {
        return established.getNow(null).clone();
    }

    @Override
    public void send(byte[] message) throws UsmpException {
        Limits.checkMessageSize(message);
        try {
            handler.send(message.clone()).get();
        } catch (ExecutionException e) {
            throw failure("send", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsmpException("interrupted while sending", e);
        }
    }

    /** Why an operation on the channel failed, typed. */
    private UsmpException failure(String op, Throwable cause) {
        EngineEvent.Closed c = closed;
        if (cause instanceof ConnectionClosedException && c != null) {
            // The engine only knows it is closed; report why the session ended (PEER_BYE, ...).
            return new ConnectionClosedException("session closed: " + c.reason().kind(), c.reason());
        }
        if (cause instanceof UsmpException u) {
            return u;
        }
        return new ConnectionClosedException(op + " failed: " + cause.getMessage(), closeReasonOr(CloseReason.PEER_DISCONNECTED));
    }

    @Override
    public void ping(Duration timeout) throws UsmpException, InterruptedException {
        try {
            handler.ping().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw failure("ping", e.getCause());
        } catch (TimeoutException e) {
            throw new UsmpTimeoutException("no PONG within " + timeout.toMillis() + " ms");
        }
    }

    @Override
    public byte[] receive(Duration timeout) throws UsmpException, InterruptedException {
        byte[] next = received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (next == null) {
            return null;
        }
        if (next == END) {
            received.add(END);
            EngineEvent.Closed c = closed;
            throw c.cause() != null ? c.cause() : new ConnectionClosedException("session closed", c.reason());
        }
        boolean resume;
        synchronized (this) {
            resume = paused && received.size() <= config.receiveQueueCapacity() / 2;
            if (resume) {
                paused = false;
            }
        }
        if (resume) {
            handler.setPaused(false);
        }
        return next;
    }

    @Override
    public boolean isOpen() {
        return closed == null;
    }

    @Override
    public CloseReason closeReason() {
        EngineEvent.Closed c = closed;
        return c == null ? null : c.reason();
    }

    private CloseReason closeReasonOr(CloseReason fallback) {
        CloseReason r = closeReason();
        return r == null ? fallback : r;
    }

    /**
     * Sends BYE and waits briefly for the socket to close. The caller's {@link ClientConfig} is left
     * intact so it can be used to reconnect (the engine's own PSK copy is wiped when the session ends).
     */
    @Override
    public void close() {
        handler.close();
        // UDP: the BYE waits for the frames in flight and its own acknowledgement (bounded by the ARQ).
        long wait = config.transportKind() == TransportKind.UDP
                ? config.udpTries() * config.udpRetryInterval().toMillis() + 2000 : 2000;
        if (!handler.awaitEnded(wait)) {
            handler.abort();
        }
    }
}
