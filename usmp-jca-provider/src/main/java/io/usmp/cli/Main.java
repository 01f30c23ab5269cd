package io.usmp.cli;

import io.usmp.ClientConfig;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.ServerConfig;
import io.usmp.TransportKind;
import io.usmp.ServerListener;
import io.usmp.UsmpClient;
import io.usmp.protocol.UsmpException;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code java -jar usmp.jar gateway|device ...}: a standalone gateway and a device client, for
 * users and for interoperability checks against the upstream SDKs.
 */
public final class Main {
    static final int GATEWAY_SUMMARY_SECONDS = 10;
    static final String USAGE = String.join("\n",
            "usage:",
            "  java -jar usmp.jar gateway --port P [--bind 127.0.0.1] ((--psk-file PATH | --psk-hex HEX) --device-id HEX | --keystore PATH)",
            "                            [--echo] [--verbose | --quiet] [--stats] [--udp [--tcp]]",
            "                            [--max-connections N] [--max-handshakes N] [--session-timeout SECONDS]",
            "      prints a line per session and a summary every " + GATEWAY_SUMMARY_SECONDS + " s; --verbose adds each message in hex,",
            "      --quiet prints no line per session; --udp: UDP instead of TCP, --udp --tcp: both on port P;",
            "      --keystore serves every device of a PKCS#12 keystore (password in " + KeystoreCommand.PASSWORD_ENV + ");",
            "      --stats answers a line STATS on standard input with the process's CPU time, allocated bytes",
            "      and heap in use after a GC (load tests).",
            "  java -jar usmp.jar device --host H --port P (--psk-file PATH | --psk-hex HEX) --device-id HEX [--udp]",
            "                            [--send HEX]... [--gen N]... [--expect-echo]",
            "  java -jar usmp.jar keystore-add --keystore PATH --device-id HEX (--psk-file PATH | --new-psk-file PATH)",
            "      adds a device's PSK to a PKCS#12 keystore (created if missing) for the resource adapter;",
            "      the keystore password comes from the environment variable " + KeystoreCommand.PASSWORD_ENV + ";",
            "      --new-psk-file generates a random 32-byte PSK and writes it there for the device.",
            "  java -jar usmp.jar keystore-gen --keystore PATH --devices N",
            "      a new keystore for simulated devices 0..N-1 (id of device i: 5a + i in 10 hex digits), random PSKs",
            "  java -jar usmp.jar simulate --host H --port P --devices N --keystore PATH [--rate R] [--duration S]",
            "      N devices, each sending R binary telemetry records per second (default 1), answering",
            "      commands and reconnecting after drops; PSKs from the keystore; runs S seconds or until Ctrl-C.",
            "      Both read the keystore password from " + KeystoreCommand.PASSWORD_ENV + ".",
            "  java -jar usmp.jar keystore-import --keystore PATH --ids FILE (--psk-dir DIR | --new-psk-dir DIR)",
            "      adds every device listed in FILE (one id in hex per line) and writes the keystore once;",
            "      each key is read from DIR/<id>.key, or generated and written there (--new-psk-dir).",
            "--psk-file holds the raw key bytes (at least 16); --psk-hex is meant for tests.");
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

    private final PrintStream out;
    private final PrintStream err;

    Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(new Main(System.out, System.err).run(args));
    }

    /** Runs a command and returns the exit status: 0 success, 1 failure, 2 usage error. */
    int run(String[] args) throws InterruptedException {
        try {
            if (args.length == 0) {
                throw new Arguments.UsageException("a command is required");
            }
            switch (args[0]) {
                case "gateway":
                    return gateway(new Arguments(args, 1, Set.of("--port", "--bind", "--psk-file", "--psk-hex", "--device-id",
                            "--keystore", "--max-connections", "--max-handshakes", "--session-timeout"),
                            Set.of("--echo", "--verbose", "--quiet", "--stats", "--udp", "--tcp")), null);
                case "device":
                    return device(new Arguments(args, 1, Set.of("--host", "--port", "--psk-file", "--psk-hex", "--device-id",
                            "--send", "--gen"), Set.of("--expect-echo", "--udp")));
                case "keystore-add":
                    return new KeystoreCommand(out, err, System.getenv()).run(new Arguments(args, 1,
                            Set.of("--keystore", "--device-id", "--psk-file", "--new-psk-file"), Set.of()));
                case "keystore-gen":
                    return new KeystoreGenCommand(out, err, System.getenv()).run(new Arguments(args, 1,
                            Set.of("--keystore", "--devices"), Set.of()));
                case "simulate":
                    return new SimulateCommand(out, err, System.getenv(), System.console() != null).run(new Arguments(args, 1,
                            Set.of("--host", "--port", "--devices", "--rate", "--keystore", "--duration"), Set.of()), null);
                case "keystore-import":
                    return new KeystoreCommand(out, err, System.getenv()).runImport(new Arguments(args, 1,
                            Set.of("--keystore", "--ids", "--psk-dir", "--new-psk-dir"), Set.of()));
                case "-h":
                case "--help":
                    out.println(USAGE);
                    return 0;
                default:
                    throw new Arguments.UsageException("unknown command " + args[0]);
            }
        } catch (Arguments.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }

    /** Runs a gateway until {@code stop} counts down (or, when null, until the JVM is stopped). */
    int gateway(Arguments a, CountDownLatch stop) throws Arguments.UsageException, InterruptedException {
        int port = a.port("--port");
        String bind = a.get("--bind", "127.0.0.1");
        boolean echo = a.has("--echo");
        boolean verbose = a.has("--verbose");
        Set<TransportKind> transports = !a.has("--udp") ? EnumSet.of(TransportKind.TCP)
                : a.has("--tcp") ? EnumSet.of(TransportKind.TCP, TransportKind.UDP) : EnumSet.of(TransportKind.UDP);
        PskResolver psks;
        if (a.has("--keystore")) {
            psks = KeystoreCommand.resolver(Path.of(a.required("--keystore")), System.getenv(), err);
            if (psks == null) {
                return 1;
            }
        } else {
            DeviceId device = a.deviceId();
            byte[] psk = a.psk();
            try {
                psks = PskResolver.of(Map.of(device, psk));
            } finally {
                Arrays.fill(psk, (byte) 0);
            }
        }
        ServerConfig.Builder builder = ServerConfig.builder(psks).bind(bind, port).transports(transports);
        if (a.has("--max-connections")) {
            int n = positive(a, "--max-connections");
            builder.maxConnections(n, ServerConfig.DEFAULT_MAX_CONNECTIONS_PER_IP);
        }
        if (a.has("--max-handshakes")) {
            builder.maxConcurrentHandshakes(positive(a, "--max-handshakes"));
        }
        if (a.has("--session-timeout")) {
            builder.sessionTimeout(Duration.ofSeconds(positive(a, "--session-timeout")));
        }
        ServerConfig config = builder.build();
        UsmpServer server;
        PrintingListener listener = a.has("--quiet") ? new PrintingListener(echo, verbose, true)
                : new SessionPrintingListener(echo, verbose);
        try {
            server = UsmpServer.start(config, listener);
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        if (a.has("--stats")) {
            ProcessStats.answerOnStdin(server, out);
        }
        CountDownLatch done = stop != null ? stop : new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            done.countDown();
        }, "usmp-gateway-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (transports.contains(TransportKind.TCP)) {
            print("READY tcp " + server.localAddress().getAddress().getHostAddress() + ":" + server.localAddress().getPort());
        }
        server.udpAddress().ifPresent(udp -> print("READY udp " + udp.getAddress().getHostAddress() + ":" + udp.getPort()));
        while (!done.await(GATEWAY_SUMMARY_SECONDS, TimeUnit.SECONDS)) {
            listener.summary(server);
        }
        if (stop != null) {
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
        }
        listener.summary(server);
        return 0;
    }

    private static int positive(Arguments a, String option) throws Arguments.UsageException {
        try {
            int n = Integer.parseInt(a.required(option));
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new Arguments.UsageException(option + " takes a positive number");
    }

    /**
     * Counts (and with {@code --echo} echoes) messages. It does not override {@code onSession} and
     * {@code onClosed}, so a {@code --quiet} gateway spares each session those listener calls; the
     * summary's session counts come from the server's statistics.
     */
    private class PrintingListener implements ServerListener {
        private final boolean echo;
        private final boolean verbose;
        /** Echoes are not waited for (load tests). */
        private final boolean quiet;
        private final AtomicLong messages = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();

        PrintingListener(boolean echo, boolean verbose, boolean quiet) {
            this.echo = echo;
            this.verbose = verbose;
            this.quiet = quiet;
        }

        void summary(UsmpServer server) {
            var st = server.statistics();
            print("SUMMARY sessions open " + st.sessionsOpen() + ", total " + st.handshakesSucceeded() + "; messages "
                    + messages.get() + ", " + bytes.get() + " bytes");
        }

        @Override
        public void onMessage(UsmpSession s, byte[] payload) {
            messages.incrementAndGet();
            bytes.addAndGet(payload.length);
            if (verbose) {
                print("RX " + payload.length + " " + HexFormat.of().formatHex(payload));
            }
            if (echo) {
                try {
                    CompletionStage<Void> sent = s.send(payload);
                    if (!quiet) {
                        sent.toCompletableFuture().join();
                    }
                } catch (UsmpException | RuntimeException e) {
                    err.println("echo to " + s.deviceId() + " failed: " + e.getMessage());
                }
            }
        }
    }

    /** Without {@code --quiet}: a line per session opened and closed. */
    private final class SessionPrintingListener extends PrintingListener {
        SessionPrintingListener(boolean echo, boolean verbose) {
            super(echo, verbose, false);
        }

        @Override
        public void onSession(UsmpSession s) {
            print("SESSION device=" + s.deviceId().toHex() + " session=" + s.sessionIdHex());
        }

        @Override
        public void onClosed(UsmpSession s, CloseReason reason, UsmpException cause) {
            print("CLOSED device=" + s.deviceId().toHex() + " reason=" + reason.kind());
        }
    }

    int device(Arguments a) throws Arguments.UsageException, InterruptedException {
        String host = a.required("--host");
        int port = a.port("--port");
        DeviceId device = a.deviceId();
        byte[] psk = a.psk();
        boolean expectEcho = a.has("--expect-echo");
        List<Map.Entry<String, String>> plan = a.inOrder(Set.of("--send", "--gen"));
        byte[][] messages = new byte[plan.size()][];
        for (int i = 0; i < messages.length; i++) {
            Map.Entry<String, String> step = plan.get(i);
            messages[i] = step.getKey().equals("--send") ? Arguments.hex("--send", step.getValue()) : generated(step.getValue());
        }
        ClientConfig config;
        try {
            config = ClientConfig.builder(host, port, device, psk).udp(a.has("--udp")).build();
        } catch (IllegalArgumentException e) {
            throw new Arguments.UsageException(e.getMessage());
        } finally {
            Arrays.fill(psk, (byte) 0);
        }
        int passed = 0;
        int failed = 0;
        try (UsmpClient client = UsmpClient.connect(config)) {
            print("SESSION device=" + device.toHex() + " session=" + HexFormat.of().formatHex(client.sessionId()));
            for (byte[] m : messages) {
                if (exchange(client, m, expectEcho)) {
                    passed++;
                } else {
                    failed++;
                }
            }
        } catch (IOException e) {
            err.println("error: " + describe(e));
            failed = messages.length - passed;
            if (failed == 0) {
                failed = 1;
            }
        } finally {
            config.wipe();
        }
        print("DONE " + passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    private boolean exchange(UsmpClient client, byte[] message, boolean expectEcho) throws InterruptedException {
        try {
            client.send(message);
            if (!expectEcho) {
                return true;
            }
            byte[] reply = client.receive(REPLY_TIMEOUT);
            if (reply == null) {
                err.println("no reply within " + REPLY_TIMEOUT.toSeconds() + " s");
                return false;
            }
            print("REPLY " + reply.length + " " + HexFormat.of().formatHex(reply));
            return Arrays.equals(reply, message);
        } catch (UsmpException e) {
            err.println("error: " + describe(e));
            return false;
        }
    }

    private static String describe(IOException e) {
        return e instanceof UsmpException u ? u.reason().kind() + ": " + u.getMessage() : e.getMessage();
    }

    private static byte[] generated(String n) throws Arguments.UsageException {
        int len;
        try {
            len = Integer.parseInt(n);
        } catch (NumberFormatException e) {
            throw new Arguments.UsageException("--gen takes a byte count, got " + n);
        }
        if (len < 0) {
            throw new Arguments.UsageException("--gen takes a byte count, got " + n);
        }
        byte[] m = new byte[len];
        for (int i = 0; i < len; i++) {
            m[i] = (byte) i;
        }
        return m;
    }

    private synchronized void print(String line) {
        out.println(line);
        out.flush();
    }
}
