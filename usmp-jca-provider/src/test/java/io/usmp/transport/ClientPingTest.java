package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ClientConfig;
import io.usmp.TransportKind;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.ConnectionClosedException;
import io.usmp.protocol.UsmpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link UsmpClient#ping}: a PING/PONG round trip over loopback that tells a live peer from one
 * that stopped answering while its socket stays open (no FIN, no RST).
 */
@Timeout(60)
class ClientPingTest {
    private static final int CAPACITY = 2;

    private final Loopback loopback = new Loopback();
    private final ExecutorService caller = Executors.newSingleThreadExecutor();

    @AfterEach
    void tearDown() {
        caller.shutdownNow();
        loopback.close();
    }

    @Test
    void aLivePeerAnswersOverTcpAndUdp() throws Exception {
        UsmpServer server = loopback.start(Loopback.config().transports(EnumSet.of(TransportKind.TCP, TransportKind.UDP)),
                new Recorder(false));
        UsmpClient tcp = loopback.connect(Loopback.client(server, Loopback.device(1)));
        UsmpClient udp = loopback.connect(ClientConfig.builder("127.0.0.1", server.udpAddress().orElseThrow().getPort(),
                Loopback.device(2), Loopback.PSK).udp(true));
        for (int i = 0; i < 3; i++) {
            tcp.ping(Loopback.WAIT);
            udp.ping(Loopback.WAIT);
        }
        assertTrue(tcp.isOpen() && udp.isOpen());
    }

    /**
     * The gateway's listener blocks on the first message and the gateway stops reading the socket
     * (backpressure), so the PING behind the messages is never read: the socket is open and takes
     * bytes, yet no PONG comes. Once the listener is released the peer answers again.
     */
    @Test
    void aPeerThatStopsReadingGivesATypedTimeoutAndTheSessionStaysOpen() throws Exception {
        PausedInputTest.Blocking listener = new PausedInputTest.Blocking(60_000);
        UsmpServer server = loopback.start(Loopback.config().inboundQueueCapacity(CAPACITY), listener);
        UsmpClient client = loopback.connect(Loopback.client(server, Loopback.DEVICE));
        client.ping(Loopback.WAIT);
        for (int i = 1; i <= 10; i++) {
            client.send(ByteBuffer.allocate(300).putInt(i).array());
        }
        UsmpTimeoutException e = assertThrows(UsmpTimeoutException.class, () -> client.ping(Duration.ofMillis(300)));
        assertEquals(CloseReason.TIMEOUT, e.reason());
        assertTrue(client.isOpen(), "a missing PONG does not end the session: the caller decides");

        listener.release.countDown();
        client.ping(Loopback.WAIT); // the backlog is read, both PINGs answered in order
        assertEquals(10, listener.take(10).size());
    }

    @Test
    void aSessionThatEndsWhileAPingWaitsFailsTypedNotByTimeout() throws Exception {
        PausedInputTest.Blocking listener = new PausedInputTest.Blocking(60_000);
        UsmpServer server = loopback.start(Loopback.config().inboundQueueCapacity(CAPACITY), listener);
        UsmpClient client = loopback.connect(Loopback.client(server, Loopback.DEVICE));
        for (int i = 1; i <= 10; i++) {
            client.send(ByteBuffer.allocate(300).putInt(i).array());
        }
        Future<?> ping = caller.submit(() -> {
            client.ping(Duration.ofSeconds(50));
            return null;
        });
        Loopback.await("the gateway's session", () -> listener.session.get() != null);
        listener.session.get().close();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> ping.get(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        ConnectionClosedException cause = assertInstanceOf(ConnectionClosedException.class, failed.getCause());
        assertEquals(CloseReason.PEER_BYE, cause.reason());
        listener.release.countDown();
    }

    @Test
    void pingAfterCloseIsATypedError() throws Exception {
        UsmpServer server = loopback.start(Loopback.config(), new Recorder(false));
        UsmpClient client = loopback.connect(Loopback.client(server, Loopback.DEVICE));
        client.close();
        assertFalse(client.isOpen());
        ConnectionClosedException e = assertThrows(ConnectionClosedException.class, () -> client.ping(Loopback.WAIT));
        assertEquals(CloseReason.LOCAL, e.reason());
    }
}
