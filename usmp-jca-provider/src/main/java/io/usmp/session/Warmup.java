package io.usmp.session;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.Limits;
import io.usmp.protocol.PskResolver;
import io.usmp.protocol.UsmpException;
import io.usmp.crypto.UsmpCrypto;
import io.usmp.session.EngineSettings;
import io.usmp.session.UsmpEngine;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;

/**
 * Runs whole in-memory sessions before a gateway accepts, so its first real handshake finds the
 * providers initialised, the classes loaded and the hot paths compiled: upstream C devices give up
 * when a reply takes more than 500 ms (SPEC §3).
 */
public final class Warmup {
    private static final System.Logger LOG = System.getLogger(Warmup.class.getName());
    private static final int ROUNDS = 40;

    private Warmup() {
    }

    public static void run(UsmpCrypto crypto) {
        long start = System.nanoTime();
        SecureRandom random = new SecureRandom();
        byte[] psk = new byte[32];
        random.nextBytes(psk);
        DeviceId device = DeviceId.of(new byte[DeviceId.LENGTH]);
        EngineSettings settings = EngineSettings.defaults(crypto);
        PskResolver psks = PskResolver.shared(psk);
        try {
            for (int i = 0; i < ROUNDS; i++) {
                UsmpEngine client = UsmpEngine.client(settings, device, psk, 0);
                UsmpEngine server = UsmpEngine.server(settings, psks, 0);
                client.start(0);
                pump(client, server);
                client.send(new byte[Limits.MAX_MESSAGE], 1);
                server.send(new byte[1], 1);
                client.ping(1);
                pump(client, server);
                client.close(2);
                pump(client, server);
            }
        } catch (UsmpException | RuntimeException e) {
            // Warm-up only speeds the first handshake up; a failure here will show in real traffic.
            LOG.log(Level.WARNING, "crypto warm-up failed: " + e);
        } finally {
            java.util.Arrays.fill(psk, (byte) 0);
        }
        LOG.log(Level.DEBUG, "warm-up took {0} ms", (System.nanoTime() - start) / 1_000_000);
    }

    private static void pump(UsmpEngine a, UsmpEngine b) {
        boolean moved = true;
        while (moved) {
            moved = move(a, b) | move(b, a);
            while (a.pollEvent() != null || b.pollEvent() != null) {
                // events are irrelevant here
            }
        }
    }

    private static boolean move(UsmpEngine from, UsmpEngine to) {
        boolean any = false;
        for (byte[] f = from.pollOutput(); f != null; f = from.pollOutput()) {
            to.receive(f, 0, f.length, 1);
            any = true;
        }
        return any;
    }
}
