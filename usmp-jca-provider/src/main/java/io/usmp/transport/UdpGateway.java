package io.usmp.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.usmp.Refusal;
import io.usmp.ServerConfig;
import io.usmp.handshake.ReturnRoutability;
import io.usmp.handshake.ServerHandshake;
import io.usmp.protocol.FrameException;
import io.usmp.protocol.UsmpException;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import io.usmp.wire.Datagrams;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's UDP endpoint (SPEC §5): one Netty datagram channel on the gateway's event loops,
 * one {@link DatagramSession} per peer, keyed by source address and port. A new address is a new
 * peer that must handshake (NAT rebinding is not followed). Sessions are handed to the gateway
 * ({@link TcpGateway.Link}) exactly like TCP connections.
 *
 * <p>Before any state is kept for a source: a cookieless HELLO is answered with a UTACK and a
 * HELLO_RETRY carrying a stateless cookie; a HELLO with a cookie valid for the current or previous
 * 30 s bucket becomes a peer once admission (SPEC §6: lockout, connection caps, a handshake slot
 * within the source's share) agrees. Every HELLO first takes a token from its source's bucket
 * (10 deep, 5/s by default). Anything else from an unknown source is dropped silently.
 *
 * <p>Peers are touched only on the channel's event loop.
 */
final class UdpGateway {
    private static final System.Logger LOG = System.getLogger(UdpGateway.class.getName());
    private static final long BIND_RETRY_MILLIS = 2_000;

    private final TcpGateway gateway;
    private final ServerConfig config;
    private final EngineSettings settings;
    private final Admission admission;
    private final Clock clock;
    private final LongSupplier unixSeconds;
    private final ReturnRoutability cookies;
    private final HelloRate helloRate;
    private final LongAdder bytesIn;
    private final LongAdder bytesOut;
    private final LongAdder sendsRefused;
    private final Map<InetSocketAddress, DatagramSession> peers = new HashMap<>();
    /** Datagrams dropped before any peer state: malformed, not a HELLO, bad cookie, over rate, no slot. */
    final LongAdder strangersDropped = new LongAdder();
    final LongAdder helloRetries = new LongAdder();
    final LongAdder helloRateLimited = new LongAdder();
    private Channel channel;

    UdpGateway(TcpGateway gateway, ServerConfig config, EngineSettings settings, Admission admission, Clock clock,
               LongSupplier unixSeconds, LongAdder bytesIn, LongAdder bytesOut, LongAdder sendsRefused) {
        this.gateway = gateway;
        this.config = config;
        this.settings = settings.withArq(config.udpTries(), config.udpRetryInterval());
        this.admission = admission;
        this.clock = clock;
        this.unixSeconds = unixSeconds;
        this.cookies = new ReturnRoutability(config.crypto(), config.random());
        this.helloRate = new HelloRate(config.udpHelloBurst(), config.udpHelloPerSecond(), config.lockoutTableSize());
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.sendsRefused = sendsRefused;
    }

    void bind(NettyTransport transport) throws IOException {
        Bootstrap b = new Bootstrap()
                .group(transport.group())
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_REUSEADDR, false)
                .option(ChannelOption.SO_RCVBUF, 1 << 20)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        onDatagram(packet);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // ICMP errors and the like concern one peer at most; the socket stays open.
                        LOG.log(Level.DEBUG, "UDP socket error: " + cause);
                    }
                });
        long deadline = Clock.SYSTEM.millis() + BIND_RETRY_MILLIS;
        while (true) {
            try {
                channel = b.bind(config.bindHost(), config.port()).syncUninterruptibly().channel();
                return;
            } catch (Exception e) { // Netty rethrows the checked BindException undeclared
                if (!(e instanceof java.net.BindException) || config.port() == 0 || Clock.SYSTEM.millis() >= deadline) {
                    throw new IOException("cannot bind UDP " + config.bindHost() + ":" + config.port() + ": " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while binding UDP " + config.bindHost() + ":" + config.port(), ie);
                }
            }
        }
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    private void onDatagram(DatagramPacket packet) {
        InetSocketAddress sender = packet.sender();
        ByteBuf content = packet.content();
        byte[] data = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), data);
        DatagramSession peer = peers.get(sender);
        if (peer != null) {
            peer.datagram(data);
            return;
        }
        try {
            if (!stranger(sender, data)) {
                bytesIn.add(data.length);
            }
        } catch (UsmpException | RuntimeException e) {
            strangersDropped.increment();
            LOG.log(Level.DEBUG, "datagram from " + sender + " dropped: " + e.getClass().getName());
        }
    }

    /** A datagram from a source with no peer: only a HELLO may lead anywhere. True when it became a peer. */
    private boolean stranger(InetSocketAddress sender, byte[] data) throws UsmpException {
        Frame hello;
        try {
            hello = Datagrams.decodeFrame(data, 0, data.length);
        } catch (FrameException e) {
            strangersDropped.increment();
            return false;
        }
        if (hello.type() != PacketType.HELLO || gateway.isClosing()) {
            strangersDropped.increment();
            return false;
        }
        InetAddress ip = sender.getAddress();
        long now = clock.millis();
        if (admission.lockedOut(ip, now)) {
            gateway.refused(Refusal.LOCKED_OUT, ip, now);
            return false;
        }
        if (!helloRate.tryAcquire(admission.source(ip), now)) {
            helloRateLimited.increment();
            return false;
        }
        String host = ip.getHostAddress();
        int port = sender.getPort();
        if (hello.length() == ServerHandshake.HELLO_LENGTH) {
            helloRetries.increment();
            send(sender, Datagrams.utackHeader(PacketType.HELLO, hello.seq()));
            send(sender, Frame.of(PacketType.HELLO_RETRY, 0, cookies.cookie(host, port, unixSeconds.getAsLong())).encode());
            channel.flush();
            return false;
        }
        byte[] cookie = new byte[Datagrams.COOKIE_LENGTH];
        if (hello.length() != ServerHandshake.HELLO_WITH_COOKIE_LENGTH) {
            strangersDropped.increment();
            return false;
        }
        hello.copyPayload(ServerHandshake.HELLO_LENGTH, cookie, 0, cookie.length);
        if (!cookies.verify(cookie, host, port, unixSeconds.getAsLong())) {
            strangersDropped.increment();
            return false;
        }
        Refusal refusal = admission.admit(ip, now);
        if (refusal != null) {
            gateway.refused(refusal, ip, now);
            return false;
        }
        if (!admission.tryAcquireSlot(ip)) {
            admission.release(ip); // no slot now: nothing kept; the device resends its HELLO
            strangersDropped.increment();
            return false;
        }
        TcpGateway.Link link = gateway.udpLink(sender);
        UsmpEngine engine = UsmpEngine.datagramServer(settings, config.psks(), now);
        DatagramSession[] self = new DatagramSession[1];
        DatagramSession session = new DatagramSession(engine, channel, sender, link, clock, bytesIn, bytesOut,
                config.writeBufferHighWaterMark(), sendsRefused, () -> ended(self[0]));
        self[0] = session;
        peers.put(sender, session);
        session.datagram(data);
        return true;
    }

    private void ended(DatagramSession peer) {
        if (peers.remove(peer.remote(), peer)) {
            admission.release(peer.remote().getAddress());
        }
    }

    private void send(InetSocketAddress to, byte[] datagram) {
        bytesOut.add(datagram.length);
        channel.write(new DatagramPacket(Unpooled.wrappedBuffer(datagram), to));
    }

    /** Ends every peer still here (their sessions close as disconnected), then closes the socket. */
    void close(long waitMillis) {
        if (channel == null) {
            return;
        }
        channel.eventLoop().submit(() -> {
            for (DatagramSession peer : List.copyOf(peers.values())) {
                peer.transportClosed();
            }
        }).awaitUninterruptibly(waitMillis);
        channel.close().awaitUninterruptibly(waitMillis);
        cookies.destroy();
    }
}
