package io.usmp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.ClientConfig;
import io.usmp.ServerConfig;
import io.usmp.TransportKind;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.protocol.DeviceId;
import io.usmp.wire.Datagrams;
import io.usmp.wire.Frame;
import io.usmp.wire.PacketType;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * UDP through a lossy relay on loopback (drops, duplicates, reorders; fixed seed): exactly once and
 * in order both ways, spoofed datagrams with the victim's source address, and a HELLO flood.
 */
@Timeout(180)
class UdpLossyTest {
    /**
     * At 20 % loss per datagram a try succeeds (frame and UTACK both through) with p = 0.64, so the
     * SPEC's 5 tries lose a frame with p = 0.36^5 ≈ 0.6 %: over 2 000 messages the session would
     * certainly end. The relay test therefore allows 30 tries, 20 ms apart (loopback RTT is far less).
     */
    private static final int TRIES = 30;
    private static final Duration INTERVAL = Duration.ofMillis(20);
    private static final int MESSAGES = 1000;

    private static ServerConfig.Builder udpConfig() {
        return Loopback.config().transports(EnumSet.of(TransportKind.UDP)).udpRetransmission(TRIES, INTERVAL);
    }

    private static ClientConfig.Builder via(LossyRelay relay, DeviceId device) {
        return ClientConfig.builder("127.0.0.1", relay.address().getPort(), device, Loopback.PSK).udp(true)
                .udpRetransmission(TRIES, INTERVAL);
    }

    private static byte[] numbered(int i, int size) {
        byte[] m = new byte[size];
        ByteBuffer.wrap(m).putInt(i);
        return m;
    }

    @Test
    void thousandMessagesEachWayArriveOnceInOrderThroughLossDuplicationAndReordering() throws Exception {
        try (Loopback lo = new Loopback()) {
            Recorder rec = new Recorder(false);
            UsmpServer server = lo.start(udpConfig(), rec);
            LossyRelay relay = lo.add(new LossyRelay(server.udpAddress().get(), "127.0.0.1", 0.20, 0.05, 0.05, 42));
            UsmpClient device = lo.connect(via(relay, Loopback.DEVICE));
            UsmpSession session = rec.sessions.poll(10, TimeUnit.SECONDS);

            CompletableFuture<Void> down = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < MESSAGES; i++) {
                        session.send(numbered(i, 4 + i % 600)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // The device reads while it sends: a device that stops reading stops acknowledging (backpressure).
            List<Integer> downlink = new ArrayList<>();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try {
                    while (downlink.size() < MESSAGES) {
                        byte[] m = device.receive(Duration.ofSeconds(30));
                        if (m == null) {
                            throw new IllegalStateException("downlink stalled after " + downlink.size());
                        }
                        downlink.add(ByteBuffer.wrap(m).getInt());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            for (int i = 0; i < MESSAGES; i++) {
                device.send(numbered(i, 4 + i * 7 % 1805)); // up to 1808 bytes: up to 4 frames a message
            }
            down.get(120, TimeUnit.SECONDS);
            reader.get(120, TimeUnit.SECONDS);
            System.out.printf("lossy relay: %d messages each way in %.1f s%n", MESSAGES, (System.nanoTime() - t0) / 1e9);
            Loopback.await("uplink complete", () -> rec.messages.size() >= MESSAGES, () -> relay.toString());
            List<Integer> uplink = new ArrayList<>();
            for (Recorder.Message m : rec.messages) {
                uplink.add(ByteBuffer.wrap(m.payload()).getInt());
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                expected.add(i);
            }
            assertEquals(expected, uplink, "uplink exactly once, in order");
            assertEquals(expected, downlink, "downlink exactly once, in order");
            assertTrue(device.isOpen());
            System.out.println("lossy relay: " + relay + " " + server.statistics());
            assertTrue(relay.dropped.get() > 0 && relay.duplicated.get() > 0 && relay.reordered.get() > 0, relay.toString());
        }
    }

    @Test
    void spoofedDatagramsWithTheVictimsSourceDoNotEndItsSession() throws Exception {
        try (Loopback lo = new Loopback()) {
            Recorder rec = new Recorder(true);
            UsmpServer server = lo.start(udpConfig(), rec);
            LossyRelay relay = lo.add(new LossyRelay(server.udpAddress().get(), "127.0.0.1", 0, 0, 0, 1));
            UsmpClient device = lo.connect(via(relay, Loopback.DEVICE));
            device.send(new byte[] {1});
            assertEquals(1, device.receive(Loopback.WAIT)[0]);

            // Everything below comes from the victim's address and port as the gateway sees it.
            List<byte[]> spoofed = new ArrayList<>();
            spoofed.add(new byte[] {0x13, 0x37});
            spoofed.add(Frame.of(PacketType.DATA, 1, new byte[60]).encode()); // next seq, garbage AEAD
            spoofed.add(Frame.of(PacketType.BYE, 2, new byte[28]).encode());
            spoofed.add(Frame.of(PacketType.PING, 0xFFFFFFFFL, new byte[28]).encode());
            spoofed.add(Frame.of(PacketType.DATA, 500, new byte[28]).encode()); // would move the window far ahead
            spoofed.add(HexFormat.of().parseHex("cdab0201000000002600debba1b2c3d4e5f6d89e3bad79437dbed9f843418304f460ff05c7fe81fe4a9577a804cb9367ff66"));
            spoofed.add(Frame.of(PacketType.HELLO_ACK, 0, new byte[32]).encode());
            byte[] badCrc = Frame.of(PacketType.DATA, 1, new byte[40]).encode();
            badCrc[10] ^= 0x55;
            spoofed.add(badCrc);
            spoofed.add(Datagrams.sessionUtack(Datagrams.utackHeader(PacketType.DATA, 1), new byte[32])); // forged UTACK
            spoofed.add(Datagrams.utackHeader(PacketType.DATA, 1));
            for (int round = 0; round < 20; round++) {
                for (byte[] d : spoofed) {
                    relay.injectUpstream(d);
                }
            }
            for (int i = 2; i < 50; i++) {
                device.send(new byte[] {(byte) i});
                assertEquals((byte) i, device.receive(Loopback.WAIT)[0], "echo " + i + " after the spoofing");
            }
            assertTrue(device.isOpen());
            assertEquals(1, server.statistics().sessionsOpen());
            assertTrue(rec.closed.isEmpty(), "no session ended: " + rec.closed);
            assertEquals(49, server.statistics().messagesReceived(), "nothing spoofed was delivered");
        }
    }

    @Test
    void helloFloodFromOneAddressIsRateLimitedWhileOtherAddressesConnect() throws Exception {
        try (Loopback lo = new Loopback()) {
            Recorder rec = new Recorder(true);
            UsmpServer server = lo.start(Loopback.config().transports(EnumSet.of(TransportKind.UDP)), rec);
            InetSocketAddress gw = server.udpAddress().get();
            byte[] hello = Frame.of(PacketType.HELLO, 0, HexFormat.of().parseHex(
                    "a1b200000063d89e3bad79437dbed9f843418304f460ff05c7fe81fe4a9577a804cb9367ff66")).encode();
            int answers = 0;
            int sent = 0;
            long started = System.nanoTime();
            try (DatagramSocket flood = new DatagramSocket(new InetSocketAddress("127.0.0.66", 0))) {
                flood.setSoTimeout(1);
                CompletableFuture<List<UsmpClient>> others = CompletableFuture.supplyAsync(() -> {
                    List<UsmpClient> devices = new ArrayList<>();
                    try {
                        for (int n = 2; n <= 6; n++) {
                            LossyRelay r = lo.add(new LossyRelay(gw, "127.0.0." + n, 0, 0, 0, n));
                            devices.add(lo.connect(ClientConfig.builder("127.0.0.1", r.address().getPort(), Loopback.device(n),
                                    Loopback.PSK).udp(true)));
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return devices;
                });
                byte[] buf = new byte[2048];
                while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(2)) {
                    for (int i = 0; i < 50; i++) {
                        flood.send(new DatagramPacket(hello, hello.length, gw));
                        sent++;
                    }
                    try {
                        while (true) {
                            DatagramPacket p = new DatagramPacket(buf, buf.length);
                            flood.receive(p);
                            if (p.getLength() > 12 && (buf[3] & 0xFF) == PacketType.HELLO_RETRY.code()) {
                                answers++;
                            }
                        }
                    } catch (SocketTimeoutException e) {
                        // next burst
                    }
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                List<UsmpClient> devices = others.get(30, TimeUnit.SECONDS);
                for (UsmpClient d : devices) {
                    d.send(new byte[] {7});
                    assertEquals(7, d.receive(Loopback.WAIT)[0]);
                }
                assertEquals(5, devices.size());
                long allowed = Math.round(10 + 5 * seconds) + 2;
                System.out.printf("HELLO flood: %d sent from 127.0.0.66 in %.1f s, %d HELLO_RETRY answers (bucket allows %d); "
                        + "5 devices from 127.0.0.2-6 connected%n", sent, seconds, answers, allowed);
                assertTrue(sent > 1000, "the flood was a flood: " + sent);
                assertTrue(answers <= allowed, answers + " answers to " + sent + " HELLOs exceed the bucket " + allowed);
                assertTrue(answers >= 10, "the burst is answered: " + answers);
            }
        }
    }
}
