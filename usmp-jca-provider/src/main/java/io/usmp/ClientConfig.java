package io.usmp;

import io.usmp.protocol.DeviceId;
import io.usmp.protocol.Limits;
import io.usmp.protocol.PskResolver;

import io.usmp.crypto.UsmpCrypto;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/** Device-side settings. Immutable; holds a copy of the PSK (never printed). */
public final class ClientConfig {
    private final String host;
    private final int port;
    private final DeviceId deviceId;
    private final byte[] psk;
    private final Duration connectTimeout;
    private final Duration handshakeTimeout;
    private final Duration keepalive;
    private final int receiveQueueCapacity;
    private final UsmpTransport transport;
    private final UsmpCrypto crypto;
    private final TransportKind transportKind;
    private final int udpTries;
    private final Duration udpRetryInterval;

    private ClientConfig(Builder b) {
        this.transportKind = b.transportKind;
        this.udpTries = b.udpTries;
        this.udpRetryInterval = b.udpRetryInterval;
        this.host = b.host;
        this.port = b.port;
        this.deviceId = b.deviceId;
        this.psk = b.psk.clone();
        this.connectTimeout = b.connectTimeout;
        this.handshakeTimeout = b.handshakeTimeout;
        this.keepalive = b.keepalive;
        this.receiveQueueCapacity = b.receiveQueueCapacity;
        this.transport = b.transport;
        this.crypto = b.crypto;
    }

    public static Builder builder(String host, int port, DeviceId deviceId, byte[] psk) {
        return new Builder(host, port, deviceId, psk);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public DeviceId deviceId() {
        return deviceId;
    }

    /** A copy of the PSK; the caller wipes it. */
    public byte[] psk() {
        return psk.clone();
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public Duration keepalive() {
        return keepalive;
    }

    public int receiveQueueCapacity() {
        return receiveQueueCapacity;
    }

    public UsmpTransport transport() {
        return transport;
    }

    public UsmpCrypto crypto() {
        return crypto;
    }

    /** TCP (default) or UDP. */
    public TransportKind transportKind() {
        return transportKind;
    }

    public int udpTries() {
        return udpTries;
    }

    public Duration udpRetryInterval() {
        return udpRetryInterval;
    }

    /** Wipes this configuration's PSK copy. */
    public void wipe() {
        Arrays.fill(psk, (byte) 0);
    }

    @Override
    public String toString() {
        return "ClientConfig[" + transportKind.name().toLowerCase(java.util.Locale.ROOT) + " " + host + ":" + port
                + " device=" + deviceId + "]";
    }

    public static final class Builder {
        private final String host;
        private final int port;
        private final DeviceId deviceId;
        private final byte[] psk;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration keepalive = Duration.ofSeconds(30);
        private int receiveQueueCapacity = 64;
        private UsmpTransport transport;
        private UsmpCrypto crypto = UsmpCrypto.defaults();
        private TransportKind transportKind = TransportKind.TCP;
        private int udpTries = ServerConfig.DEFAULT_UDP_TRIES;
        private Duration udpRetryInterval = ServerConfig.DEFAULT_UDP_RETRY_INTERVAL;
        private boolean built;

        private Builder(String host, int port, DeviceId deviceId, byte[] psk) {
            this.host = Objects.requireNonNull(host, "host");
            this.port = ServerConfig.checkRange("port", port, 1, 65535);
            this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
            if (!Limits.isUsablePsk(psk)) {
                throw new IllegalArgumentException("PSK must be at least " + Limits.MIN_PSK_LENGTH + " bytes");
            }
            this.psk = psk.clone();
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = ServerConfig.positive("connectTimeout", d);
            return this;
        }

        public Builder handshakeTimeout(Duration d) {
            this.handshakeTimeout = ServerConfig.positive("handshakeTimeout", d);
            return this;
        }

        /** PING after sending nothing for this long; zero disables. */
        public Builder keepalive(Duration d) {
            Objects.requireNonNull(d, "keepalive");
            if (d.isNegative()) {
                throw new IllegalArgumentException("keepalive must not be negative");
            }
            this.keepalive = d;
            return this;
        }

        /** Messages held for {@link UsmpClient#receive} before the socket stops being read. */
        public Builder receiveQueueCapacity(int n) {
            this.receiveQueueCapacity = ServerConfig.checkRange("receiveQueueCapacity", n, 1, 1_000_000);
            return this;
        }

        public Builder transport(UsmpTransport t) {
            this.transport = t;
            return this;
        }

        /** Connect over TCP (default) or UDP (SPEC §5); the client API is the same. */
        public Builder transportKind(TransportKind kind) {
            this.transportKind = Objects.requireNonNull(kind, "transportKind");
            return this;
        }

        /** Shorthand for {@code transportKind(udp ? UDP : TCP)}. */
        public Builder udp(boolean udp) {
            return transportKind(udp ? TransportKind.UDP : TransportKind.TCP);
        }

        /** UDP stop-and-wait: each frame sent up to {@code tries} times, {@code interval} apart (SPEC §5: 5, 500 ms). */
        public Builder udpRetransmission(int tries, Duration interval) {
            this.udpTries = ServerConfig.checkRange("udpTries", tries, 1, 1000);
            this.udpRetryInterval = ServerConfig.positive("udpRetryInterval", interval);
            return this;
        }

        public Builder crypto(UsmpCrypto c) {
            this.crypto = Objects.requireNonNull(c, "crypto");
            return this;
        }

        /** Builds once: the builder's PSK copy is wiped afterwards, so a second build is refused. */
        public ClientConfig build() {
            if (built) {
                throw new IllegalStateException("this builder was already used; its PSK copy is wiped");
            }
            built = true;
            try {
                return new ClientConfig(this);
            } finally {
                Arrays.fill(psk, (byte) 0);
            }
        }
    }
}
