package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ServerConfig;
import io.usmp.ServerStatistics;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import io.usmp.protocol.PskResolver;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SocketWarmupTest {
    @Test
    void runsWholeSessionsThroughTheConfiguredTransportAndDeliveryExecutor() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        AtomicInteger deliveryTasks = new AtomicInteger();
        try (NettyTransport transport = NettyTransport.withThreadFactory(2, NettyTransport.daemonThreads("warmup-test"))) {
            ServerConfig config = ServerConfig.builder(PskResolver.shared(Loopback.PSK))
                    .transport(transport)
                    .deliveryExecutor(task -> {
                        deliveryTasks.incrementAndGet();
                        pool.execute(task);
                    })
                    .build();
            assertEquals(24, SocketWarmup.run(config, 24, 60_000_000_000L), "every session completes its handshake");
            assertTrue(deliveryTasks.get() > 0, "its messages went through the gateway's delivery executor");
            assertTrue(transport.group().next().submit(() -> true).syncUninterruptibly().getNow(),
                    "a transport it was given stays open");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void itsSessionsReachNothingOfARealGatewaySharingTheTransportAndDeliveryExecutor() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Loopback loopback = new Loopback();
             NettyTransport transport = NettyTransport.withThreadFactory(2, NettyTransport.daemonThreads("warmup-test"))) {
            Recorder recorder = new Recorder(false);
            ServerConfig.Builder config = Loopback.config().transport(transport).deliveryExecutor(pool);
            UsmpServer real = loopback.start(config, recorder);
            assertEquals(16, SocketWarmup.run(config.build(), 16, 60_000_000_000L));
            ServerStatistics stats = real.statistics();
            assertEquals(0, stats.handshakesSucceeded(), "no warm-up handshake counted by the real gateway");
            assertEquals(0, stats.messagesReceived());
            assertTrue(recorder.sessions.isEmpty() && recorder.messages.isEmpty() && recorder.failed.isEmpty(),
                    "the real gateway's listener heard nothing");
            UsmpClient device = loopback.connect(Loopback.client(real, Loopback.DEVICE));
            device.send(new byte[] {1});
            assertEquals(1, recorder.messages.poll(10, TimeUnit.SECONDS).payload()[0], "and it still serves its devices");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPrivateGatewayThatCannotStartEndsTheWarmUpWithoutThrowing() {
        NettyTransport closed = NettyTransport.withThreadFactory(1, NettyTransport.daemonThreads("warmup-test"));
        closed.close();
        ServerConfig config = ServerConfig.builder(PskResolver.shared(Loopback.PSK)).transport(closed).build();
        assertEquals(0, SocketWarmup.run(config, 10, 60_000_000_000L), "no session, no exception: the real port opens anyway");
    }

    @Test
    void anExhaustedBudgetStartsNoSessionAndDoesNotFail() {
        ServerConfig config = ServerConfig.builder(PskResolver.shared(Loopback.PSK)).build();
        assertEquals(0, SocketWarmup.run(config, 1_000, 0), "no session starts");
    }
}
