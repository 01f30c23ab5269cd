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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The remote end of dial-out in tests: a core gateway on loopback. It records what arrives and
 * answers {@code echo:<x>} with {@code <x>}.
 */
final class DialPeer implements ServerListener, AutoCloseable {
    final UsmpServer server;
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<CloseReason> closes = new CopyOnWriteArrayList<>();

    DialPeer(DeviceId device, byte[] psk) throws Exception {
        server = UsmpServer.start(ServerConfig.builder(PskResolver.of(Map.of(device, psk))).bind("127.0.0.1", 0)
                .lockout(0, ServerConfig.DEFAULT_LOCKOUT_MAX_SECONDS, ServerConfig.DEFAULT_LOCKOUT_TABLE_SIZE).build(), this);
    }

    int port() {
        return server.localAddress().getPort();
    }

    @Override
    public void onMessage(UsmpSession session, byte[] payload) {
        String s = new String(payload, StandardCharsets.UTF_8);
        received.add(s);
        if (s.startsWith("echo:")) {
            try {
                session.send(s.substring(5).getBytes(StandardCharsets.UTF_8));
            } catch (UsmpException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void onClosed(UsmpSession session, CloseReason reason, UsmpException cause) {
        closes.add(reason);
    }

    long handshakes() {
        return server.statistics().handshakesSucceeded();
    }

    /** Ends every session from the peer's side (BYE). */
    void killSessions() {
        server.sessions().forEach(UsmpSession::close);
    }

    @Override
    public void close() {
        server.close(1000);
    }
}
