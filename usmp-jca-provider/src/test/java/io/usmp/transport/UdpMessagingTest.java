package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.TransportKind;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import io.usmp.protocol.CloseReason;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** UDP end to end over loopback without loss: the same client and listener API as TCP. */
@Timeout(60)
class UdpMessagingTest {
    @Test
    void echoOverUdpWithTheSameApi() throws Exception {
        try (Loopback lo = new Loopback()) {
            Recorder rec = new Recorder(true);
            UsmpServer server = lo.start(Loopback.config().transports(EnumSet.of(TransportKind.UDP)), rec);
            assertTrue(server.udpAddress().isPresent());
            assertEquals(server.udpAddress().get(), server.localAddress(), "UDP only: localAddress is the UDP socket");
            UsmpClient device = lo.connect(Loopback.client(server, Loopback.DEVICE).udp(true));
            for (int i = 0; i < 50; i++) {
                byte[] m = new byte[i * 37 % 1809];
                if (m.length > 0) {
                    m[m.length - 1] = (byte) i;
                }
                device.send(m);
                assertArrayEquals(m, device.receive(Loopback.WAIT), "echo " + i);
            }
            assertNotNull(rec.sessions.poll(1, TimeUnit.SECONDS));
            assertEquals(1, server.statistics().sessionsOpen());
            device.close();
            assertFalse(device.isOpen());
            Recorder.Closed c = rec.closed.poll(10, TimeUnit.SECONDS);
            assertNotNull(c);
            assertEquals(CloseReason.PEER_BYE, c.reason());
            assertEquals(50, server.statistics().messagesReceived());
        }
    }

    @Test
    void bothTransportsOnOneGateway() throws Exception {
        try (Loopback lo = new Loopback()) {
            Recorder rec = new Recorder(true);
            UsmpServer server = lo.start(Loopback.config().transports(EnumSet.allOf(TransportKind.class)), rec);
            UsmpClient tcp = lo.connect(Loopback.client(server, Loopback.device(1)));
            UsmpClient udp = lo.connect(io.usmp.ClientConfig.builder("127.0.0.1", server.udpAddress().get().getPort(),
                    Loopback.device(2), Loopback.PSK).udp(true));
            tcp.send(new byte[] {1});
            udp.send(new byte[] {2});
            assertArrayEquals(new byte[] {1}, tcp.receive(Loopback.WAIT));
            assertArrayEquals(new byte[] {2}, udp.receive(Loopback.WAIT));
            assertEquals(2, server.statistics().sessionsOpen());
        }
    }
}
