package io.usmp.session;

import io.usmp.crypto.UsmpCrypto;
import io.usmp.handshake.KeyPairSource;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * Settings shared by both roles. A zero duration disables that timer.
 *
 * @param handshakeTimeout from engine creation (accept or connect) until established (default 10 s)
 * @param keepalive        client: PING after sending nothing for this long (default 30 s)
 * @param sessionTimeout   server: close after receiving nothing authenticated for this long while
 *                         reading was not paused by backpressure (default 60 s)
 * @param slowConsumerTimeout close a session whose transport reported its output blocked (the peer
 *                         does not read) for this long (default 30 s)
 * @param arqTries         datagram mode: sends of one frame before the send fails (SPEC §5: 5)
 * @param arqInterval      datagram mode: time between those sends (SPEC §5: 500 ms)
 * @param cipherIdleRelease drop a session's keyed AES-GCM objects (some 1.5 KB with both directions)
 *                         once it has sealed and opened nothing for this long; the keys stay and the
 *                         next frame keys new ones (a cipher look-up and a key schedule, some µs).
 *                         Shorter than the keepalive, so that a session that only keeps alive spends
 *                         most of its time without them (default 10 s)
 */
public record EngineSettings(UsmpCrypto crypto, SecureRandom random, KeyPairSource keyPairs,
                             Duration handshakeTimeout, Duration keepalive, Duration sessionTimeout,
                             Duration slowConsumerTimeout, int arqTries, Duration arqInterval,
                             Duration cipherIdleRelease) {
    /** SPEC §5: each frame is sent at most this many times. */
    public static final int DEFAULT_ARQ_TRIES = 5;
    /** SPEC §5: this far apart. */
    public static final Duration DEFAULT_ARQ_INTERVAL = Duration.ofMillis(500);

    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SLOW_CONSUMER_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CIPHER_IDLE_RELEASE = Duration.ofSeconds(10);

    public EngineSettings {
        for (Duration d : new Duration[] {handshakeTimeout, keepalive, sessionTimeout, slowConsumerTimeout, cipherIdleRelease}) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("timeouts must not be negative");
            }
        }
        if (arqTries < 1 || arqInterval.toMillis() < 1) {
            throw new IllegalArgumentException("ARQ tries and interval must be positive");
        }
    }

    /** Settings with the default cipher idle release. */
    public EngineSettings(UsmpCrypto crypto, SecureRandom random, KeyPairSource keyPairs, Duration handshakeTimeout,
                          Duration keepalive, Duration sessionTimeout, Duration slowConsumerTimeout, int arqTries,
                          Duration arqInterval) {
        this(crypto, random, keyPairs, handshakeTimeout, keepalive, sessionTimeout, slowConsumerTimeout, arqTries,
                arqInterval, DEFAULT_CIPHER_IDLE_RELEASE);
    }

    /** Settings with the SPEC's ARQ of 5 tries 500 ms apart. */
    public EngineSettings(UsmpCrypto crypto, SecureRandom random, KeyPairSource keyPairs, Duration handshakeTimeout,
                          Duration keepalive, Duration sessionTimeout, Duration slowConsumerTimeout) {
        this(crypto, random, keyPairs, handshakeTimeout, keepalive, sessionTimeout, slowConsumerTimeout,
                DEFAULT_ARQ_TRIES, DEFAULT_ARQ_INTERVAL);
    }

    /** Settings with the default slow-consumer timeout. */
    public EngineSettings(UsmpCrypto crypto, SecureRandom random, KeyPairSource keyPairs, Duration handshakeTimeout,
                          Duration keepalive, Duration sessionTimeout) {
        this(crypto, random, keyPairs, handshakeTimeout, keepalive, sessionTimeout, DEFAULT_SLOW_CONSUMER_TIMEOUT);
    }

    /** Real randomness, fresh key pairs, default timers. */
    public static EngineSettings defaults(UsmpCrypto crypto) {
        SecureRandom random = new SecureRandom();
        return new EngineSettings(crypto, random, () -> crypto.generateKeyPair(random), DEFAULT_HANDSHAKE_TIMEOUT,
                DEFAULT_KEEPALIVE, DEFAULT_SESSION_TIMEOUT);
    }

    public EngineSettings withTimeouts(Duration handshake, Duration keepaliveInterval, Duration session) {
        return new EngineSettings(crypto, random, keyPairs, handshake, keepaliveInterval, session, slowConsumerTimeout,
                arqTries, arqInterval, cipherIdleRelease);
    }

    /** Datagram mode: {@code tries} sends of a frame, {@code interval} apart, before the send fails. */
    public EngineSettings withArq(int tries, Duration interval) {
        return new EngineSettings(crypto, random, keyPairs, handshakeTimeout, keepalive, sessionTimeout, slowConsumerTimeout,
                tries, interval, cipherIdleRelease);
    }

    public EngineSettings withSlowConsumerTimeout(Duration d) {
        return new EngineSettings(crypto, random, keyPairs, handshakeTimeout, keepalive, sessionTimeout, d, arqTries, arqInterval,
                cipherIdleRelease);
    }

    /** Zero keeps the keyed AES-GCM objects for the whole session. */
    public EngineSettings withCipherIdleRelease(Duration d) {
        return new EngineSettings(crypto, random, keyPairs, handshakeTimeout, keepalive, sessionTimeout, slowConsumerTimeout,
                arqTries, arqInterval, d);
    }
}
