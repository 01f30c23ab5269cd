package io.usmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usmp.protocol.PskResolver;
import io.usmp.ServerConfig;
import io.usmp.ServerListener;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keystore-gen and simulate against the real gateway over loopback TCP. */
class SimulateCommandTest {
    private static final String PASSWORD = "simulate-test-password";
    private static final Map<String, String> ENV = Map.of(KeystoreCommand.PASSWORD_ENV, PASSWORD);

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
    private final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);

    private Path keystore(int devices) throws Exception {
        Path ks = tmp.resolve("fleet.p12");
        int status = new KeystoreGenCommand(outStream, errStream, ENV).run(new Arguments(
                new String[] {"--keystore", ks.toString(), "--devices", String.valueOf(devices)}, 0,
                Set.of("--keystore", "--devices"), Set.of()));
        assertEquals(0, status, err::toString);
        return ks;
    }

    private Arguments simulateArgs(Path ks, int port, int devices, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--host", "127.0.0.1", "--port", String.valueOf(port),
                "--devices", String.valueOf(devices), "--keystore", ks.toString()));
        args.addAll(List.of(more));
        return new Arguments(args.toArray(String[]::new), 0,
                Set.of("--host", "--port", "--devices", "--rate", "--keystore", "--duration"), Set.of());
    }

    @Test
    void keystoreGenWritesOneKeyPerDerivedIdAndNeverReplacesAFile() throws Exception {
        Path ks = keystore(3);
        KeyStore loaded = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            loaded.load(in, PASSWORD.toCharArray());
        }
        assertEquals(Set.of("5a0000000000", "5a0000000001", "5a0000000002"), Set.copyOf(java.util.Collections.list(loaded.aliases())));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("CREATED " + ks + " devices 5a0000000000..5a0000000002"));

        byte[] before = Files.readAllBytes(ks);
        assertEquals(1, new KeystoreGenCommand(outStream, errStream, ENV).run(new Arguments(
                new String[] {"--keystore", ks.toString(), "--devices", "3"}, 0, Set.of("--keystore", "--devices"), Set.of())));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("exists"));
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(Files.readAllBytes(ks)));
    }

    @Test
    void simulatorRefusesAKeystoreWithoutItsDevices() throws Exception {
        Path ks = keystore(2);
        int status = new SimulateCommand(outStream, errStream, ENV, false).run(simulateArgs(ks, 9, 3), new CountDownLatch(0));
        assertEquals(1, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no secret key for device 5a0000000002"), err::toString);
    }

    /**
     * Three devices against a gateway that acks every record, sends device 0 a command and drops
     * device 1's first session: records arrive decoded, the command is answered, device 1 comes back.
     */
    @Test
    void fleetSendsRecordsAnswersCommandsAndReconnects() throws Exception {
        Path ks = keystore(3);
        KeyStore loaded = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            loaded.load(in, PASSWORD.toCharArray());
        }
        Map<String, AtomicInteger> records = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> sessions = new ConcurrentHashMap<>();
        List<String> answers = new CopyOnWriteArrayList<>();
        // Device 0's answer, and a record from device 1's second session: the gateway knows a session
        // before its SESSION_OK leaves, so only a record sent in it shows the device counted its reconnect.
        CountDownLatch goal = new CountDownLatch(2);
        AtomicBoolean secondSessionTalked = new AtomicBoolean();
        ServerListener listener = new ServerListener() {
            @Override
            public void onSession(UsmpSession s) {
                sessions.computeIfAbsent(s.deviceId().toHex(), k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public void onMessage(UsmpSession s, byte[] payload) {
                String device = s.deviceId().toHex();
                if (device.equals("5a0000000001") && sessions.get(device).get() == 2 && secondSessionTalked.compareAndSet(false, true)) {
                    goal.countDown();
                }
                if (payload[0] == SimulatedDevices.COMMAND_ANSWER) {
                    answers.add(device + " " + new String(payload, 1, payload.length - 1, StandardCharsets.UTF_8));
                    goal.countDown();
                    return;
                }
                assertEquals(11, payload.length);
                assertEquals(SimulatedDevices.TELEMETRY_V1, payload[0]);
                int n = records.computeIfAbsent(device, k -> new AtomicInteger()).incrementAndGet();
                try {
                    s.send(ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).put(SimulatedDevices.ACK).putLong(n).array());
                    if (device.equals("5a0000000000") && n == 2) {
                        s.send(("\u0003led=on").getBytes(StandardCharsets.UTF_8));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                if (device.equals("5a0000000001") && n == 2) {
                    s.close();
                }
            }
        };
        try (UsmpServer server = UsmpServer.start(ServerConfig.builder(PskResolver.fromKeyStore(loaded, PASSWORD.toCharArray()))
                .bind("127.0.0.1", 0).build(), listener)) {
            CountDownLatch stop = new CountDownLatch(1);
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return new SimulateCommand(outStream, errStream, ENV, false)
                            .run(simulateArgs(ks, server.localAddress().getPort(), 3, "--rate", "20"), stop);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(goal.await(20, TimeUnit.SECONDS), () -> "answers " + answers + " sessions " + sessions + "\n" + out);
            stop.countDown();
            assertEquals(0, exit.get(20, TimeUnit.SECONDS), out::toString);
        }
        String output = out.toString(StandardCharsets.UTF_8);
        assertEquals(List.of("5a0000000000 ok led=on"), answers);
        assertTrue(output.contains("COMMAND device=5a0000000000 led=on"), output);
        assertEquals(Set.of("5a0000000000", "5a0000000001", "5a0000000002"), records.keySet());
        Matcher m = Pattern.compile("SUMMARY 3 devices, [0-9.]+ s: sent (\\d+), acked (\\d+), commands 1, failures (\\d+), reconnects (\\d+)")
                .matcher(output);
        assertTrue(m.find(), output);
        int sent = records.values().stream().mapToInt(AtomicInteger::get).sum();
        // The summary counts a record once its send returned. A record can reach the gateway without
        // that: one per device still being written when the summary is taken, and one per failure
        // (written just before the gateway's BYE: the gateway reads on after BYE, the device saw the
        // send fail).
        long reported = Long.parseLong(m.group(1));
        assertTrue(reported > 0 && reported + Long.parseLong(m.group(3)) + 3 >= sent, output + " gateway got " + sent);
        assertTrue(Long.parseLong(m.group(2)) > 0, output);
        assertTrue(Long.parseLong(m.group(3)) >= 1, output);
        assertEquals(1, Long.parseLong(m.group(4)), output);
        assertFalse(output.contains(PASSWORD), "no secret in the output");
    }
}
