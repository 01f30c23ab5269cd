package io.usmp.transport;

import io.usmp.ClientConfig;
import io.usmp.TransportKind;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Measures UDP over loopback and prints a table; asserts nothing about time. Not part of the
 * suite (no *Test name); run with {@code mvn -o -pl usmp-jca-provider test -Dtest=UdpLoopbackBench}.
 */
class UdpLoopbackBench {
    private static final int MESSAGES = 5000;
    private static final int HANDSHAKES = 40;

    @Test
    void table() throws Exception {
        try (Loopback lo = new Loopback()) {
            Recorder rec = new Recorder(false);
            UsmpServer server = lo.start(Loopback.config().transports(EnumSet.of(TransportKind.UDP, TransportKind.TCP)), rec);
            int udpPort = server.udpAddress().get().getPort();
            StringBuilder table = new StringBuilder("\n| measurement | value |\n|---|---|\n");

            for (int devices : new int[] {1, 4}) {
                List<UsmpClient> clients = new ArrayList<>();
                for (int d = 0; d < devices; d++) {
                    clients.add(lo.connect(ClientConfig.builder("127.0.0.1", udpPort, Loopback.device(100 + d + devices * 10),
                            Loopback.PSK).udp(true)));
                }
                for (UsmpClient c : clients) { // warm-up
                    for (int i = 0; i < 500; i++) {
                        c.send(new byte[64]);
                    }
                }
                long t0 = System.nanoTime();
                List<CompletableFuture<Void>> runs = new ArrayList<>();
                for (UsmpClient c : clients) {
                    runs.add(CompletableFuture.runAsync(() -> {
                        try {
                            for (int i = 0; i < MESSAGES; i++) {
                                c.send(new byte[64]);
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }));
                }
                for (CompletableFuture<Void> r : runs) {
                    r.get();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                table.append(String.format("| UDP uplink, %d device(s), 64-byte messages, each send waits for its UTACK | %.0f msg/s |%n",
                        devices, devices * MESSAGES / s));
                clients.forEach(UsmpClient::close);
            }
            {
                UsmpClient tcp = lo.connect(Loopback.client(server, Loopback.device(300)));
                for (int i = 0; i < 500; i++) {
                    tcp.send(new byte[64]);
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < MESSAGES; i++) {
                    tcp.send(new byte[64]);
                }
                double s = (System.nanoTime() - t0) / 1e9;
                table.append(String.format("| (for comparison) TCP uplink, 1 device, send waits for the socket write | %.0f msg/s |%n",
                        MESSAGES / s));
                tcp.close();
            }
            for (double loss : new double[] {0.0, 0.2}) {
                {
                    List<Double> ms = new ArrayList<>();
                    int failed = 0;
                    for (int i = 0; i < HANDSHAKES; i++) {
                        // Each from its own 127.0.0.x: one source's HELLOs are rate-limited (10 deep, 5/s).
                        LossyRelay relay = lo.add(new LossyRelay(server.udpAddress().get(), "127.0.0." + (10 + i + (loss > 0 ? 100 : 0)),
                                loss, 0, 0, 7 + i));
                        long t0 = System.nanoTime();
                        try (UsmpClient c = UsmpClient.connect(ClientConfig.builder("127.0.0.1", relay.address().getPort(),
                                Loopback.device(400 + i), Loopback.PSK).udp(true).handshakeTimeout(Duration.ofSeconds(10)).build())) {
                            ms.add((System.nanoTime() - t0) / 1e6);
                        } catch (Exception e) {
                            failed++;
                        }
                    }
                    Collections.sort(ms);
                    table.append(String.format("| UDP handshake at %.0f %% loss (SPEC ARQ: 5 tries, 500 ms), %d tries: median / p90 / max | %.1f / %.1f / %.1f ms, %d failed |%n",
                            loss * 100, HANDSHAKES, ms.get(ms.size() / 2), ms.get(ms.size() * 9 / 10), ms.get(ms.size() - 1), failed));
                }
            }
            System.out.println(table);
        }
    }
}
