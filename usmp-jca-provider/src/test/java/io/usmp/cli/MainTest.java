package io.usmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MainTest {
    private static final String DEVICE_ID = "a1b2c3d4e5f6";
    private static final String PSK_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static final long WAIT_MS = 10_000;

    @TempDir
    Path tmp;

    /** Captured output of one Main. */
    private static final class Run {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final Main main = new Main(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        List<String> lines() {
            return out().lines().toList();
        }
    }

    private CountDownLatch gatewayStop;
    private CompletableFuture<Integer> gatewayExit;

    @AfterEach
    void stopGateway() throws Exception {
        if (gatewayStop != null) {
            gatewayStop.countDown();
            assertEquals(0, gatewayExit.get(20, TimeUnit.SECONDS), "gateway exit status");
        }
    }

    // ------------------------------------------------------------------ usage errors

    static Stream<Arguments> usageErrors() {
        String dev = "device --host 127.0.0.1 --port 9 ";
        return Stream.of(
                Arguments.of("", "a command is required"),
                Arguments.of("frobnicate", "unknown command frobnicate"),
                Arguments.of("gateway --port 0 --bogus", "unknown option --bogus"),
                Arguments.of(dev + "--device-id a1b2c3 --psk-hex " + PSK_HEX, "--device-id must be 12 hex digits"),
                Arguments.of(dev + "--device-id zzb2c3d4e5f6 --psk-hex " + PSK_HEX, "--device-id must be 12 hex digits"),
                Arguments.of(dev + "--device-id " + DEVICE_ID + " --psk-hex 000102030405060708090a0b0c0d0e",
                        "at least 16 bytes, got 15"),
                Arguments.of(dev + "--device-id " + DEVICE_ID + " --psk-hex " + PSK_HEX + " --psk-file PSKFILE",
                        "give exactly one of --psk-file PATH or --psk-hex HEX"),
                Arguments.of(dev + "--device-id " + DEVICE_ID, "give exactly one of --psk-file PATH or --psk-hex HEX"),
                Arguments.of(dev + "--device-id " + DEVICE_ID + " --psk-file MISSING", "cannot read --psk-file"),
                Arguments.of("gateway --port 70000 --device-id " + DEVICE_ID + " --psk-hex " + PSK_HEX,
                        "--port must be a port number"),
                Arguments.of("device --host 127.0.0.1 --port", "--port needs a value"),
                Arguments.of(dev + "--device-id " + DEVICE_ID + " --psk-hex " + PSK_HEX + " --gen -1", "--gen takes a byte count"));
    }

    @ParameterizedTest
    @MethodSource("usageErrors")
    void usageErrorsExitWithStatus2(String command, String message) throws Exception {
        Path pskFile = PrivateFiles.write(tmp.resolve("psk.bin"), HexFormat.of().parseHex(PSK_HEX));
        String[] args = command.isEmpty() ? new String[0] : command.replace("PSKFILE", pskFile.toString())
                .replace("MISSING", tmp.resolve("missing.bin").toString()).split(" ");
        Run r = new Run();
        assertEquals(2, r.main.run(args));
        assertTrue(r.err().contains("error: "), r.err());
        assertTrue(r.err().contains(message), () -> "expected '" + message + "' in: " + r.err());
        assertTrue(r.err().contains("usage:"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void helpGoesToOutWithStatus0() throws Exception {
        Run r = new Run();
        assertEquals(0, r.main.run(new String[] {"--help"}));
        assertTrue(r.out().startsWith("usage:"));
        assertEquals("", r.err());
    }

    // ------------------------------------------------------------------ gateway and device

    /** Starts {@code gateway} in-process and returns its port, parsed from the READY line. */
    private int startGateway(Run gateway, String... args) throws Exception {
        return startGateway("tcp", gateway, args);
    }

    /** Starts {@code gateway} in-process and returns the port of its READY line for {@code proto}. */
    private int startGateway(String proto, Run gateway, String... args) throws Exception {
        io.usmp.cli.Arguments parsed = new io.usmp.cli.Arguments(args, 0,
                Set.of("--port", "--bind", "--psk-file", "--psk-hex", "--device-id"), Set.of("--echo", "--verbose", "--udp", "--tcp"));
        gatewayStop = new CountDownLatch(1);
        gatewayExit = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                gatewayExit.complete(gateway.main.gateway(parsed, gatewayStop));
            } catch (Throwable e) {
                gatewayExit.completeExceptionally(e);
            }
        }, "test-gateway");
        t.setDaemon(true);
        t.start();
        Pattern ready = Pattern.compile("^READY " + proto + " 127\\.0\\.0\\.1:(\\d+)$", Pattern.MULTILINE);
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline && !gatewayExit.isDone()) {
            Matcher m = ready.matcher(gateway.out());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no READY line; out=" + gateway.out() + " err=" + gateway.err());
    }

    private static void awaitLine(Run r, String prefix) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (r.lines().stream().noneMatch(l -> l.startsWith(prefix))) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no line starting with '" + prefix + "' in:\n" + r.out());
            }
            Thread.sleep(10);
        }
    }

    @Test
    void deviceExchangesEchoesWithGatewayAndBothPrintTheSession() throws Exception {
        Run gateway = new Run();
        int port = startGateway(gateway, "--port", "0", "--device-id", DEVICE_ID, "--psk-hex", PSK_HEX, "--echo", "--verbose");
        assertTrue(port > 0);
        Path pskFile = PrivateFiles.write(tmp.resolve("device.psk"), HexFormat.of().parseHex(PSK_HEX));

        Run device = new Run();
        int status = device.main.run(new String[] {"device", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--device-id", DEVICE_ID, "--psk-file", pskFile.toString(), "--send", "0102ab", "--gen", "1808",
                "--gen", "0", "--expect-echo"});

        assertEquals(0, status, () -> "out=" + device.out() + " err=" + device.err());
        List<String> out = device.lines();
        assertTrue(out.contains("DONE 3 passed, 0 failed"), device.out());
        assertTrue(out.contains("REPLY 3 0102ab"), device.out());
        byte[] gen = new byte[1808];
        for (int i = 0; i < gen.length; i++) {
            gen[i] = (byte) i;
        }
        String genHex = HexFormat.of().formatHex(gen);
        assertTrue(out.contains("REPLY 1808 " + genHex), device.out());
        assertTrue(out.contains("REPLY 0 "), device.out());
        String deviceSession = out.stream().filter(l -> l.startsWith("SESSION device=" + DEVICE_ID + " session=")).findFirst()
                .orElseThrow(() -> new AssertionError(device.out()));
        assertEquals("", device.err());

        awaitLine(gateway, "CLOSED ");
        List<String> gw = gateway.lines();
        assertTrue(gw.contains(deviceSession), "same session id on both sides: " + gateway.out());
        List<String> rx = gw.stream().filter(l -> l.startsWith("RX ")).toList();
        assertEquals(List.of("RX 3 0102ab", "RX 1808 " + genHex, "RX 0 "), rx);
        assertTrue(gw.contains("CLOSED device=" + DEVICE_ID + " reason=peer_bye"), gateway.out());
        assertTrue(gw.indexOf(deviceSession) < gw.indexOf("RX 3 0102ab"));
    }

    @Test
    void quietGatewayPrintsSessionsAndSummaryButNoPayloads() throws Exception {
        Run gateway = new Run();
        int port = startGateway(gateway, "--port", "0", "--device-id", DEVICE_ID, "--psk-hex", PSK_HEX, "--echo");
        Run device = new Run();
        assertEquals(0, device.main.run(new String[] {"device", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--device-id", DEVICE_ID, "--psk-hex", PSK_HEX, "--send", "0102ab", "--send", "cafe", "--expect-echo"}), device.err());
        awaitLine(gateway, "CLOSED ");
        gatewayStop.countDown();
        assertEquals(0, gatewayExit.get(20, TimeUnit.SECONDS));
        gatewayStop = null;

        List<String> gw = gateway.lines();
        assertTrue(gw.stream().noneMatch(l -> l.startsWith("RX") || l.contains("0102ab")), gateway.out());
        assertEquals(1, gw.stream().filter(l -> l.startsWith("SESSION device=" + DEVICE_ID)).count(), gateway.out());
        assertEquals("SUMMARY sessions open 0, total 1; messages 2, 5 bytes", gw.get(gw.size() - 1));
    }

    @Test
    void deviceWithWrongPskExits1() throws Exception {
        Run gateway = new Run();
        int port = startGateway(gateway, "--port", "0", "--device-id", DEVICE_ID, "--psk-hex", PSK_HEX, "--echo");
        byte[] wrong = HexFormat.of().parseHex(PSK_HEX);
        wrong[0] ^= 1;
        Path pskFile = PrivateFiles.write(tmp.resolve("wrong.psk"), wrong);

        Run device = new Run();
        int status = device.main.run(new String[] {"device", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--device-id", DEVICE_ID, "--psk-file", pskFile.toString(), "--send", "00", "--expect-echo"});

        assertEquals(1, status);
        assertTrue(device.lines().contains("DONE 0 passed, 1 failed"), device.out());
        assertTrue(device.err().startsWith("error: "), device.err());
        assertFalse(device.out().contains("REPLY"));
        assertTrue(gateway.lines().stream().noneMatch(l -> l.startsWith("SESSION") || l.startsWith("RX")), gateway.out());
        assertFalse(device.err().contains(HexFormat.of().formatHex(wrong)), "no key material in messages");
    }

    @Test
    void udpDeviceExchangesEchoesWithUdpGateway() throws Exception {
        Run gateway = new Run();
        int port = startGateway("udp", gateway, "--port", "0", "--device-id", DEVICE_ID, "--psk-hex", PSK_HEX, "--echo", "--udp");
        assertFalse(gateway.out().contains("READY tcp"), "--udp alone serves UDP only: " + gateway.out());
        Path pskFile = PrivateFiles.write(tmp.resolve("udp.psk"), HexFormat.of().parseHex(PSK_HEX));

        Run device = new Run();
        int status = device.main.run(new String[] {"device", "--udp", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--device-id", DEVICE_ID, "--psk-file", pskFile.toString(), "--send", "0102ab", "--gen", "1808", "--expect-echo"});

        assertEquals(0, status, () -> "out=" + device.out() + " err=" + device.err());
        assertTrue(device.lines().contains("DONE 2 passed, 0 failed"), device.out());
        awaitLine(gateway, "CLOSED ");
        assertTrue(gateway.lines().contains("CLOSED device=" + DEVICE_ID + " reason=peer_bye"), gateway.out());
    }

    @Test
    void gatewayWithTcpAndUdpPrintsBothReadyLines() throws Exception {
        Run gateway = new Run();
        startGateway("udp", gateway, "--port", "0", "--device-id", DEVICE_ID, "--psk-hex", PSK_HEX, "--udp", "--tcp");
        assertTrue(gateway.lines().stream().anyMatch(l -> l.startsWith("READY tcp 127.0.0.1:")), gateway.out());
    }
}
