package io.usmp.transport;

import io.usmp.Refusal;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.Map;

/**
 * Logs refused connections so operators see why devices cannot connect, without letting a flood of
 * refusals flood the log: per cause, the first refusal is logged at once, later ones at most once
 * per {@value #INTERVAL_MILLIS} ms, with how many there were since the last line.
 */
final class RefusalLog {
    static final long INTERVAL_MILLIS = 10_000;
    private static final System.Logger LOG = System.getLogger(RefusalLog.class.getName());

    private static final class Window {
        long unreported;
        long nextLineAt = Long.MIN_VALUE;
    }

    private final Map<Refusal, Window> windows = new EnumMap<>(Refusal.class);

    /** Counts a refusal; returns true when this one was logged. */
    synchronized boolean refused(InetAddress source, Refusal cause, long now) {
        Window w = windows.computeIfAbsent(cause, c -> new Window());
        w.unreported++;
        if (now < w.nextLineAt) {
            return false;
        }
        LOG.log(Level.WARNING, "refused {0} connection(s): {1}; latest from {2}", w.unreported, cause.kind(),
                source.getHostAddress());
        w.unreported = 0;
        w.nextLineAt = now + INTERVAL_MILLIS;
        return true;
    }
}
