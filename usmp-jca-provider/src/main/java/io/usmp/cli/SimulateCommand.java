package io.usmp.cli;

import io.usmp.ClientConfig;
import io.usmp.protocol.DeviceId;
import io.usmp.UsmpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code simulate}: N devices (ids from {@link SimulatedDevices#id}, PSKs read from the keystore)
 * send binary telemetry at a fixed rate each, count the acks, answer commands, and reconnect with
 * jittered exponential backoff after a drop. One status line, a summary at the end (Ctrl-C too).
 */
final class SimulateCommand {
    static final int MAX_DEVICES = KeystoreGenCommand.MAX_DEVICES;
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(10));
    /** Longest a device waits in receive(), so it notices a stop quickly. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final boolean tty;
    private final Duration statusEvery;

    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger everConnected = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong commands = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final Object printLock = new Object();
    private volatile boolean running = true;
    private boolean finished;

    /** @param tty a terminal: the status line is redrawn in place ({@code \r}) every second */
    SimulateCommand(PrintStream out, PrintStream err, Map<String, String> env, boolean tty) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.tty = tty;
        this.statusEvery = tty ? Duration.ofSeconds(1) : Duration.ofSeconds(5);
    }

    static char[] password(Map<String, String> env) throws Arguments.UsageException {
        String password = env.get(KeystoreCommand.PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            throw new Arguments.UsageException("set the keystore password in the environment variable " + KeystoreCommand.PASSWORD_ENV);
        }
        return password.toCharArray();
    }

    static int intOption(Arguments a, String name, int min, int max, String fallback) throws Arguments.UsageException {
        String v = fallback == null ? a.required(name) : a.get(name, fallback);
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Arguments.UsageException(name + " must be a whole number " + min + ".." + max + ", got " + v);
    }

    /** Runs until {@code --duration} ends, {@code stop} counts down, or (stop null) the JVM is stopped. */
    int run(Arguments a, CountDownLatch stop) throws Arguments.UsageException, InterruptedException {
        String host = a.required("--host");
        int port = a.port("--port");
        int devices = intOption(a, "--devices", 1, MAX_DEVICES, null);
        double rate = positive(a, "--rate", "1");
        long durationMillis = a.has("--duration") ? Math.round(positive(a, "--duration", null) * 1000) : 0;
        Path keystore = Path.of(a.required("--keystore"));
        char[] pass = password(env);
        byte[][] psks;
        try {
            psks = readPsks(keystore, pass, devices);
        } catch (IOException | GeneralSecurityException e) {
            err.println("error: " + keystore + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        } finally {
            Arrays.fill(pass, '\0');
        }

        long started = System.nanoTime();
        long intervalNanos = (long) (1e9 / rate);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            int index = i;
            // Staggered starts: the fleet's messages spread over the interval instead of coming in bursts.
            long firstSend = started + intervalNanos * i / devices;
            Thread t = new Thread(() -> device(host, port, index, psks[index], intervalNanos, firstSend),
                    "usmp-sim-" + SimulatedDevices.id(index));
            t.setDaemon(true);
            threads.add(t);
        }
        CountDownLatch done = stop != null ? stop : new CountDownLatch(1);
        Thread hook = new Thread(() -> finish(threads, devices, started), "usmp-simulate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        print("SIMULATE " + devices + " devices " + SimulatedDevices.id(0) + ".." + SimulatedDevices.id(devices - 1)
                + " -> " + host + ":" + port + ", " + rate + " msg/s each");
        threads.forEach(Thread::start);
        long nextStatus = System.nanoTime() + statusEvery.toNanos();
        long end = durationMillis > 0 ? started + TimeUnit.MILLISECONDS.toNanos(durationMillis) : Long.MAX_VALUE;
        while (!done.await(Math.min(nextStatus, end) - System.nanoTime(), TimeUnit.NANOSECONDS)) {
            if (System.nanoTime() - end >= 0) {
                break;
            }
            status(devices);
            nextStatus += statusEvery.toNanos();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs (or ran) finish() itself.
        }
        finish(threads, devices, started);
        return everConnected.get() == devices ? 0 : 1;
    }

    private static double positive(Arguments a, String name, String fallback) throws Arguments.UsageException {
        String v = fallback == null ? a.required(name) : a.get(name, fallback);
        try {
            double d = Double.parseDouble(v);
            if (d > 0 && d <= 1e6) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Arguments.UsageException(name + " must be a positive number, got " + v);
    }

    private static byte[][] readPsks(Path keystore, char[] pass, int devices) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, pass);
        }
        KeyStore.ProtectionParameter protection = new KeyStore.PasswordProtection(pass);
        byte[][] psks = new byte[devices][];
        for (int i = 0; i < devices; i++) {
            String alias = SimulatedDevices.id(i).toHex();
            if (!(ks.getEntry(alias, protection) instanceof KeyStore.SecretKeyEntry entry)) {
                throw new GeneralSecurityException("no secret key for device " + alias + " (made with keystore-gen --devices " + devices + "?)");
            }
            psks[i] = entry.getSecretKey().getEncoded();
            if (psks[i].length < 16) {
                throw new GeneralSecurityException("the key of device " + alias + " is shorter than 16 bytes");
            }
        }
        return psks;
    }

    private void device(String host, int port, int index, byte[] psk, long intervalNanos, long firstSend) {
        DeviceId id = SimulatedDevices.id(index);
        long counter = 0;
        long nextSend = firstSend;
        int failuresInRow = 0;
        boolean connectedBefore = false;
        String lastError = null;
        while (running) {
            ClientConfig config = ClientConfig.builder(host, port, id, psk).build();
            try (UsmpClient client = UsmpClient.connect(config)) {
                connected.incrementAndGet();
                if (connectedBefore) {
                    reconnects.incrementAndGet();
                } else {
                    everConnected.incrementAndGet();
                    connectedBefore = true;
                }
                failuresInRow = 0;
                lastError = null;
                try {
                    while (running) {
                        long now = System.nanoTime();
                        if (now - nextSend < 0) {
                            byte[] m = client.receive(Duration.ofNanos(Math.min(nextSend - now, POLL_NANOS)));
                            if (m != null) {
                                received(client, id, m);
                            }
                            continue;
                        }
                        client.send(SimulatedDevices.reading(index, counter++));
                        sent.incrementAndGet();
                        // After a stall, carry on at the rate instead of sending the missed messages in a burst.
                        nextSend = Math.max(nextSend + intervalNanos, now - intervalNanos);
                    }
                } finally {
                    connected.decrementAndGet();
                }
            } catch (IOException e) {
                if (!running) {
                    break;
                }
                failures.incrementAndGet();
                failuresInRow++;
                if (!String.valueOf(e.getMessage()).equals(lastError)) {
                    lastError = String.valueOf(e.getMessage());
                    print("FAILED device=" + id + " " + lastError);
                }
                try {
                    Thread.sleep(BACKOFF.delay(failuresInRow, ThreadLocalRandom.current().nextDouble()).toMillis());
                } catch (InterruptedException stop) {
                    break;
                }
            } catch (InterruptedException stop) {
                break;
            } finally {
                config.wipe();
            }
        }
        Arrays.fill(psk, (byte) 0);
    }

    private void received(UsmpClient client, DeviceId id, byte[] m) throws IOException {
        if (m.length > 0 && m[0] == SimulatedDevices.ACK) {
            acked.incrementAndGet();
        } else if (m.length > 0 && m[0] == SimulatedDevices.COMMAND) {
            String command = new String(m, 1, m.length - 1, StandardCharsets.UTF_8);
            commands.incrementAndGet();
            print("COMMAND device=" + id + " " + printable(command));
            client.send(SimulatedDevices.answer(command));
        } else {
            print("UNKNOWN device=" + id + " " + m.length + " bytes");
        }
    }

    /** Text from the network never reaches the terminal with control characters in it. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    private String counters(int devices) {
        return "connected " + connected.get() + "/" + devices + "  sent " + sent.get() + "  acked " + acked.get()
                + "  commands " + commands.get() + "  failures " + failures.get() + "  reconnects " + reconnects.get();
    }

    private void status(int devices) {
        synchronized (printLock) {
            if (tty) {
                out.print("\r" + counters(devices) + "   ");
            } else {
                out.println("STATUS " + counters(devices));
            }
            out.flush();
        }
    }

    /** A line of its own; on a terminal it first clears the status line it replaces. */
    private void print(String line) {
        synchronized (printLock) {
            if (tty) {
                out.print("\r\033[K");
            }
            out.println(line);
            out.flush();
        }
    }

    /** Stops the devices (each closes its session with BYE) and prints the summary, once. */
    private synchronized void finish(List<Thread> threads, int devices, long started) {
        if (finished) {
            return;
        }
        finished = true;
        running = false;
        threads.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        print(String.format("SUMMARY %d devices, %.1f s: sent %d, acked %d, commands %d, failures %d, reconnects %d",
                devices, (System.nanoTime() - started) / 1e9, sent.get(), acked.get(), commands.get(), failures.get(),
                reconnects.get()));
    }
}
