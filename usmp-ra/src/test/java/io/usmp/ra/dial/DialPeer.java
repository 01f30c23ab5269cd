package io.usmp.ra.dial;

import io.usmp.ServerConfig;
import io.usmp.ServerListener;
import io.usmp.UsmpServer;
import io.usmp.UsmpSession;
import io.usmp.protocol.CloseReason;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.protocol.UsmpException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The remote end of dial-out in tests: a core gateway on loopback that knows the given devices. It
 * records what arrives and answers {@code echo:<x>} with {@code <x>}; {@code gather:<n>:<x>} is
 * answered with {@code <x>} once {@code n} sessions wait for such an answer at the same time;
 * {@code hold} blocks its session's listener until {@link #release}, so with more messages behind
 * it the gateway stops reading that socket: a peer that silently stopped answering.
 */
final class DialPeer implements ServerListener, AutoCloseable {
    /** Messages a session may have waiting for its listener before the gateway stops reading it. */
    static final int QUEUE = 2;

    final UsmpServer server;
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<CloseReason> closes = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peakOpen = new AtomicInteger();
    private final List<Map.Entry<UsmpSession, String>> gathered = new ArrayList<>();

    DialPeer(Map<DeviceId, byte[]> psks) throws Exception {
        server = UsmpServer.start(ServerConfig.builder(PskResolver.of(psks)).bind("127.0.0.1", 0).inboundQueueCapacity(QUEUE)
                .handshakeTimeout(Duration.ofSeconds(30)) // the shared test machine can be very loaded
                .lockout(0, ServerConfig.DEFAULT_LOCKOUT_MAX_SECONDS, ServerConfig.DEFAULT_LOCKOUT_TABLE_SIZE).build(), this);
    }

    int port() {
        return server.localAddress().getPort();
    }

    @Override
    public void onSession(UsmpSession session) {
        peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    }

    @Override
    public void onMessage(UsmpSession session, byte[] payload) {
        String s = new String(payload, StandardCharsets.UTF_8);
        received.add(s);
        if (s.startsWith("echo:")) {
            reply(session, s.substring(5));
        } else if (s.startsWith("gather:")) {
            String[] parts = s.split(":", 3);
            gather(session, Integer.parseInt(parts[1]), parts[2]);
        } else if (s.equals("hold")) {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void gather(UsmpSession session, int n, String answer) {
        List<Map.Entry<UsmpSession, String>> ready = List.of();
        synchronized (gathered) {
            gathered.add(Map.entry(session, answer));
            if (gathered.size() == n) {
                ready = List.copyOf(gathered);
                gathered.clear();
            }
        }
        ready.forEach(e -> reply(e.getKey(), e.getValue()));
    }

    private static void reply(UsmpSession session, String answer) {
        try {
            session.send(answer.getBytes(StandardCharsets.UTF_8));
        } catch (UsmpException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void onClosed(UsmpSession session, CloseReason reason, UsmpException cause) {
        open.decrementAndGet();
        closes.add(reason);
    }

    long handshakes() {
        return server.statistics().handshakesSucceeded();
    }

    /** The most sessions open at the same time. */
    int peakSessions() {
        return peakOpen.get();
    }

    /** Ends every session from the peer's side (BYE). */
    void killSessions() {
        server.sessions().forEach(UsmpSession::close);
    }

    @Override
    public void close() {
        release.countDown();
        server.close(1000);
    }
}
