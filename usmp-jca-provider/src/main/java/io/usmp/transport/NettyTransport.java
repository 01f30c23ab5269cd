package io.usmp.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.usmp.UsmpTransport;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link UsmpTransport} on Netty NIO event loops. */
final class NettyTransport implements UsmpTransport {
    private static final class Shared {
        static final NettyTransport INSTANCE = withThreadFactory(Math.max(1, Runtime.getRuntime().availableProcessors()),
                daemonThreads("usmp-io-shared"));
    }

    private final EventLoopGroup group;

    private NettyTransport(EventLoopGroup group) {
        this.group = group;
    }

    static NettyTransport withThreadFactory(int threads, ThreadFactory factory) {
        return new NettyTransport(new NioEventLoopGroup(threads, factory));
    }

    static NettyTransport withExecutor(int threads, Executor executor) {
        return new NettyTransport(new NioEventLoopGroup(threads, executor));
    }

    /** The process-wide transport used by clients that were given none (daemon threads, never closed). */
    static NettyTransport shared() {
        return Shared.INSTANCE;
    }

    static NettyTransport of(UsmpTransport transport) {
        if (transport instanceof NettyTransport n) {
            return n;
        }
        throw new IllegalArgumentException("not a transport made by UsmpTransport.create: " + transport);
    }

    EventLoopGroup group() {
        return group;
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
