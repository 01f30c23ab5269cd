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
 */
public record EngineSettings(UsmpCrypto crypto, SecureRandom random, KeyPairSource keyPairs,
                             Duration handshakeTimeout, Duration keepalive, Duration sessionTimeout,
                             Duration slowConsumerTimeout) {

    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SLOW_CONSUMER_TIMEOUT = Duration.ofSeconds(30);

    public EngineSettings {
        for (Duration d : new Duration[] {handshakeTimeout, keepalive, sessionTimeout, slowConsumerTimeout}) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("timeouts must not be negative");
            }
        }
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
        return new EngineSettings(crypto, random, keyPairs, handshake, keepaliveInterval, session, slowConsumerTimeout);
    }

    public EngineSettings withSlowConsumerTimeout(Duration d) {
        return new EngineSettings(crypto, random, keyPairs, handshakeTimeout, keepalive, sessionTimeout, d);
    }
}
