package io.usmp.it.adapter;

import io.usmp.UsmpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A device that keeps sending binary telemetry (a smooth temperature curve) until closed, counts
 * acks, and answers commands ({@code 0x03} text) with {@code 0x02 "ok " + text}, as the simulator does.
 */
final class LiveDevice implements AutoCloseable {
    final String id;
    final BlockingQueue<String> commands = new LinkedBlockingQueue<>();
    final AtomicLong acks = new AtomicLong();
    private final UsmpClient client;
    private final Thread thread;
    private volatile boolean running = true;

    LiveDevice(String id, int index, Duration every) throws Exception {
        this.id = id;
        this.client = SampleIT.connect(id);
        this.thread = new Thread(() -> loop(index, every), "live-device-" + id);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(int index, Duration every) {
        try {
            for (long n = 0; running; n++) {
                int centiCelsius = (int) Math.round(2000 + index * 150 + 250 * Math.sin(n / 4.0 + index));
                client.send(SampleApi.record(centiCelsius, 4500 + (int) (n % 50) * 10, 4100 - index * 40, n));
                long until = System.nanoTime() + every.toNanos();
                for (long left = every.toNanos(); left > 0 && running; left = until - System.nanoTime()) {
                    byte[] m = client.receive(Duration.ofNanos(left));
                    if (m != null && m.length > 0 && m[0] == (byte) 0x81) {
                        acks.incrementAndGet();
                    } else if (m != null && m.length > 0 && m[0] == 0x03) {
                        String text = new String(m, 1, m.length - 1, StandardCharsets.UTF_8);
                        commands.add(text);
                        byte[] answer = ("_ok " + text).getBytes(StandardCharsets.UTF_8);
                        answer[0] = 0x02;
                        client.send(answer);
                    }
                }
            }
        } catch (Exception e) {
            if (running) {
                commands.add("FAILED " + e);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
        client.close();
    }
}
