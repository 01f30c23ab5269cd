package io.usmp;

import io.usmp.protocol.PskResolver;

import io.usmp.crypto.UsmpCrypto;
import io.usmp.handshake.KeyPairSource;
import io.usmp.session.EngineSettings;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;

/** Gateway settings (SPEC §6 limits included). Immutable; build with {@link #builder(PskResolver)}. */
public final class ServerConfig {
    public static final String DEFAULT_BIND_HOST = "127.0.0.1";
    /** SPEC §6: connections in all. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** SPEC §6: connections from one source address. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 256;
    /** SPEC §6: handshakes in progress at once. */
    public static final int DEFAULT_MAX_CONCURRENT_HANDSHAKES = 10;
    /** SPEC §6: one source's share of the handshake slots. */
    public static final int DEFAULT_MAX_HANDSHAKES_PER_IP = 3;
    /** SPEC §6: once a slot is granted, a complete HELLO must arrive within this. */
    public static final Duration DEFAULT_HELLO_TIMEOUT = Duration.ofSeconds(1);
    /** SPEC §6: IPv6 sources are grouped by this prefix for caps, slots and lockout. */
    public static final int DEFAULT_IPV6_PREFIX_LENGTH = 64;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = EngineSettings.DEFAULT_HANDSHAKE_TIMEOUT;
    public static final Duration DEFAULT_SESSION_TIMEOUT = EngineSettings.DEFAULT_SESSION_TIMEOUT;
    /** SPEC §6: consecutive failed handshakes of an address before it is locked out. */
    public static final int DEFAULT_LOCKOUT_THRESHOLD = 5;
    public static final int DEFAULT_LOCKOUT_MAX_SECONDS = 60;
    public static final int DEFAULT_LOCKOUT_TABLE_SIZE = 4096;
    public static final int DEFAULT_INBOUND_QUEUE_CAPACITY = 64;
    /** After a local close sends BYE, how long the device's in-flight messages are still read. */
    public static final Duration DEFAULT_CLOSE_LINGER = Duration.ofSeconds(2);
    /** Listener calls running at once across all devices. */
    public static final int DEFAULT_MAX_CONCURRENT_DELIVERIES = 16;
    /** Listener calls one device gets before the next ready device's turn. */
    public static final int DEFAULT_DELIVERY_TURN = 4;
    /**
     * Bytes queued for one session's socket above which the session is unwritable: sends to it are
     * refused with {@link io.usmp.protocol.BackpressureException} and its socket is no longer read.
     */
    public static final int DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK = 64 * 1024;
    /** Bytes queued for one session's socket below which an unwritable session is writable again. */
    public static final int DEFAULT_WRITE_BUFFER_LOW_WATER_MARK = 32 * 1024;
    /** A session that stays unwritable this long is closed with {@link io.usmp.protocol.CloseReason#SLOW_CONSUMER}. */
    public static final Duration DEFAULT_SLOW_CONSUMER_TIMEOUT = EngineSettings.DEFAULT_SLOW_CONSUMER_TIMEOUT;

    /** SPEC §6: UDP HELLOs one source may send in a burst. */
    public static final int DEFAULT_UDP_HELLO_BURST = 10;
    /** SPEC §6: UDP HELLOs per second one source may send on average. */
    public static final double DEFAULT_UDP_HELLO_PER_SECOND = 5.0;
    /** SPEC §5: sends of one UDP frame before the send fails and the session ends. */
    public static final int DEFAULT_UDP_TRIES = EngineSettings.DEFAULT_ARQ_TRIES;
    /** SPEC §5: time between those sends. */
    public static final Duration DEFAULT_UDP_RETRY_INTERVAL = EngineSettings.DEFAULT_ARQ_INTERVAL;

    private final Set<TransportKind> transports;
    private final int udpHelloBurst;
    private final double udpHelloPerSecond;
    private final int udpTries;
    private final Duration udpRetryInterval;
    private final String bindHost;
    private final int port;
    private final PskResolver psks;
    private final int maxConnections;
    private final int maxConnectionsPerIp;
    private final int maxConcurrentHandshakes;
    private final int maxHandshakesPerIp;
    private final Duration helloTimeout;
    private final int ipv6PrefixLength;
    private final Duration handshakeTimeout;
    private final Duration sessionTimeout;
    private final int lockoutThreshold;
    private final int lockoutMaxSeconds;
    private final int lockoutTableSize;
    private final int inboundQueueCapacity;
    private final Duration closeLinger;
    private final UsmpTransport transport;
    private final Executor deliveryExecutor;
    private final int maxConcurrentDeliveries;
    private final int deliveryTurn;
    private final int writeBufferLowWaterMark;
    private final int writeBufferHighWaterMark;
    private final Duration slowConsumerTimeout;
    private final UsmpCrypto crypto;
    private final SecureRandom random;
    private final KeyPairSource keyPairs;

    private ServerConfig(Builder b) {
        this.transports = Set.copyOf(b.transports);
        this.udpHelloBurst = b.udpHelloBurst;
        this.udpHelloPerSecond = b.udpHelloPerSecond;
        this.udpTries = b.udpTries;
        this.udpRetryInterval = b.udpRetryInterval;
        this.bindHost = b.bindHost;
        this.port = b.port;
        this.psks = b.psks;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerIp = b.maxConnectionsPerIp;
        this.maxConcurrentHandshakes = b.maxConcurrentHandshakes;
        this.maxHandshakesPerIp = b.maxHandshakesPerIp;
        this.helloTimeout = b.helloTimeout;
        this.ipv6PrefixLength = b.ipv6PrefixLength;
        this.handshakeTimeout = b.handshakeTimeout;
        this.sessionTimeout = b.sessionTimeout;
        this.lockoutThreshold = b.lockoutThreshold;
        this.lockoutMaxSeconds = b.lockoutMaxSeconds;
        this.lockoutTableSize = b.lockoutTableSize;
        this.inboundQueueCapacity = b.inboundQueueCapacity;
        this.closeLinger = b.closeLinger;
        this.transport = b.transport;
        this.deliveryExecutor = b.deliveryExecutor;
        this.maxConcurrentDeliveries = b.maxConcurrentDeliveries;
        this.deliveryTurn = b.deliveryTurn;
        this.writeBufferLowWaterMark = b.writeBufferLowWaterMark;
        this.writeBufferHighWaterMark = b.writeBufferHighWaterMark;
        this.slowConsumerTimeout = b.slowConsumerTimeout;
        this.crypto = b.crypto;
        this.random = b.random;
        this.keyPairs = b.keyPairs;
    }

    public static Builder builder(PskResolver psks) {
        return new Builder(psks);
    }

    public String bindHost() {
        return bindHost;
    }

    /** The transports served (default TCP only). */
    public Set<TransportKind> transports() {
        return transports;
    }

    public int udpHelloBurst() {
        return udpHelloBurst;
    }

    public double udpHelloPerSecond() {
        return udpHelloPerSecond;
    }

    public int udpTries() {
        return udpTries;
    }

    public Duration udpRetryInterval() {
        return udpRetryInterval;
    }

    public int port() {
        return port;
    }

    public PskResolver psks() {
        return psks;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int maxConnectionsPerIp() {
        return maxConnectionsPerIp;
    }

    public int maxConcurrentHandshakes() {
        return maxConcurrentHandshakes;
    }

    public int maxHandshakesPerIp() {
        return maxHandshakesPerIp;
    }

    public Duration helloTimeout() {
        return helloTimeout;
    }

    public int ipv6PrefixLength() {
        return ipv6PrefixLength;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    public int lockoutThreshold() {
        return lockoutThreshold;
    }

    public int lockoutMaxSeconds() {
        return lockoutMaxSeconds;
    }

    public int lockoutTableSize() {
        return lockoutTableSize;
    }

    public int inboundQueueCapacity() {
        return inboundQueueCapacity;
    }

    /** The shared I/O threads, or null for a private transport owned by the server. */
    public UsmpTransport transport() {
        return transport;
    }

    /** Where listener calls run, or null for a private pool owned by the server. */
    public Executor deliveryExecutor() {
        return deliveryExecutor;
    }

    public Duration closeLinger() {
        return closeLinger;
    }

    public int maxConcurrentDeliveries() {
        return maxConcurrentDeliveries;
    }

    public int deliveryTurn() {
        return deliveryTurn;
    }

    /** Below this many queued outbound bytes an unwritable session becomes writable again. */
    public int writeBufferLowWaterMark() {
        return writeBufferLowWaterMark;
    }

    /** Above this many queued outbound bytes a session is unwritable. */
    public int writeBufferHighWaterMark() {
        return writeBufferHighWaterMark;
    }

    /** How long a session may stay unwritable before it is closed as a slow consumer; zero disables. */
    public Duration slowConsumerTimeout() {
        return slowConsumerTimeout;
    }

    public UsmpCrypto crypto() {
        return crypto;
    }

    public SecureRandom random() {
        return random;
    }

    /** The ephemeral key source, or null for fresh keys from {@link #crypto()}. */
    public KeyPairSource keyPairs() {
        return keyPairs;
    }

    /** Builder with the defaults of SPEC §6 and this project (10 000 connections, 256 per IP). */
    public static final class Builder {
        private Set<TransportKind> transports = EnumSet.of(TransportKind.TCP);
        private int udpHelloBurst = DEFAULT_UDP_HELLO_BURST;
        private double udpHelloPerSecond = DEFAULT_UDP_HELLO_PER_SECOND;
        private int udpTries = DEFAULT_UDP_TRIES;
        private Duration udpRetryInterval = DEFAULT_UDP_RETRY_INTERVAL;
        private String bindHost = DEFAULT_BIND_HOST;
        private int port;
        private final PskResolver psks;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerIp = DEFAULT_MAX_CONNECTIONS_PER_IP;
        private int maxConcurrentHandshakes = DEFAULT_MAX_CONCURRENT_HANDSHAKES;
        private int maxHandshakesPerIp = DEFAULT_MAX_HANDSHAKES_PER_IP;
        private Duration helloTimeout = DEFAULT_HELLO_TIMEOUT;
        private int ipv6PrefixLength = DEFAULT_IPV6_PREFIX_LENGTH;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
        private int lockoutThreshold = DEFAULT_LOCKOUT_THRESHOLD;
        private int lockoutMaxSeconds = DEFAULT_LOCKOUT_MAX_SECONDS;
        private int lockoutTableSize = DEFAULT_LOCKOUT_TABLE_SIZE;
        private int inboundQueueCapacity = DEFAULT_INBOUND_QUEUE_CAPACITY;
        private Duration closeLinger = DEFAULT_CLOSE_LINGER;
        private UsmpTransport transport;
        private Executor deliveryExecutor;
        private int maxConcurrentDeliveries = DEFAULT_MAX_CONCURRENT_DELIVERIES;
        private int deliveryTurn = DEFAULT_DELIVERY_TURN;
        private int writeBufferLowWaterMark = DEFAULT_WRITE_BUFFER_LOW_WATER_MARK;
        private int writeBufferHighWaterMark = DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK;
        private Duration slowConsumerTimeout = DEFAULT_SLOW_CONSUMER_TIMEOUT;
        private UsmpCrypto crypto = UsmpCrypto.defaults();
        private SecureRandom random = new SecureRandom();
        private KeyPairSource keyPairs;

        private Builder(PskResolver psks) {
            this.psks = Objects.requireNonNull(psks, "psks");
        }

        /** Address to listen on; default 127.0.0.1 (set 0.0.0.0 to accept devices from the network). */
        public Builder bind(String host, int port) {
            this.bindHost = Objects.requireNonNull(host, "host");
            this.port = checkRange("port", port, 0, 65535);
            return this;
        }

        /**
         * The transports to serve, at least one; default TCP only. Both bind the same host and port
         * number ({@link #bind}); with port 0 each gets its own ephemeral port.
         */
        public Builder transports(Set<TransportKind> kinds) {
            Objects.requireNonNull(kinds, "transports");
            if (kinds.isEmpty()) {
                throw new IllegalArgumentException("at least one transport");
            }
            this.transports = EnumSet.copyOf(kinds);
            return this;
        }

        /** UDP HELLO token bucket per source (SPEC §6): {@code burst} deep, refilled at {@code perSecond}. */
        public Builder udpHelloRate(int burst, double perSecond) {
            this.udpHelloBurst = checkRange("udpHelloBurst", burst, 1, 1_000_000);
            if (!(perSecond > 0) || perSecond > 1_000_000) {
                throw new IllegalArgumentException("udpHelloPerSecond must be within (0, 1000000], got " + perSecond);
            }
            this.udpHelloPerSecond = perSecond;
            return this;
        }

        /**
         * UDP stop-and-wait (SPEC §5: 5 tries, 500 ms apart): each frame is sent up to {@code tries}
         * times, {@code interval} apart, then the send fails and the session ends.
         */
        public Builder udpRetransmission(int tries, Duration interval) {
            this.udpTries = checkRange("udpTries", tries, 1, 1000);
            this.udpRetryInterval = positive("udpRetryInterval", interval);
            return this;
        }

        public Builder maxConnections(int total, int perIp) {
            this.maxConnections = checkRange("maxConnections", total, 1, Integer.MAX_VALUE);
            this.maxConnectionsPerIp = checkRange("maxConnectionsPerIp", perIp, 1, Integer.MAX_VALUE);
            return this;
        }

        /** Handshakes in progress at once; further connections wait (unread) for a slot, their timeout running. */
        public Builder maxConcurrentHandshakes(int n) {
            this.maxConcurrentHandshakes = checkRange("maxConcurrentHandshakes", n, 1, Integer.MAX_VALUE);
            return this;
        }

        /** One source's share of the handshake slots; its further connections wait even when slots are free. */
        public Builder maxHandshakesPerIp(int n) {
            this.maxHandshakesPerIp = checkRange("maxHandshakesPerIp", n, 1, Integer.MAX_VALUE);
            return this;
        }

        /** Once a connection holds a handshake slot, its complete HELLO must arrive within this. */
        public Builder helloTimeout(Duration d) {
            this.helloTimeout = positive("helloTimeout", d);
            return this;
        }

        /** IPv6 sources count as one per prefix of this length (caps, slots, lockout); 128 = per address. */
        public Builder ipv6PrefixLength(int bits) {
            this.ipv6PrefixLength = checkRange("ipv6PrefixLength", bits, 1, 128);
            return this;
        }

        /** From accept to SESSION_OK. */
        public Builder handshakeTimeout(Duration d) {
            this.handshakeTimeout = positive("handshakeTimeout", d);
            return this;
        }

        /** Close a session when nothing authenticated arrived for this long; zero disables. */
        public Builder sessionTimeout(Duration d) {
            this.sessionTimeout = Objects.requireNonNull(d, "sessionTimeout");
            if (d.isNegative()) {
                throw new IllegalArgumentException("sessionTimeout must not be negative");
            }
            return this;
        }

        /**
         * From the {@code threshold}-th consecutive authentication failure of a source, lock it out for
         * min(maxSeconds, 2^(failures − threshold)) s; 0 disables. The table holds {@code tableSize} IPs.
         */
        public Builder lockout(int threshold, int maxSeconds, int tableSize) {
            this.lockoutThreshold = checkRange("lockoutThreshold", threshold, 0, Integer.MAX_VALUE);
            this.lockoutMaxSeconds = checkRange("lockoutMaxSeconds", maxSeconds, 1, 86_400);
            this.lockoutTableSize = checkRange("lockoutTableSize", tableSize, 1, 10_000_000);
            return this;
        }

        /** Messages held per session for the listener before that device's socket stops being read. */
        public Builder inboundQueueCapacity(int n) {
            this.inboundQueueCapacity = checkRange("inboundQueueCapacity", n, 1, 1_000_000);
            return this;
        }

        /**
         * After the gateway closes a session (undeploy, {@link UsmpSession#close()}), messages the
         * device sent before it saw the BYE are still read and delivered for up to this long, until
         * the device closes; zero closes at once.
         */
        public Builder closeLinger(Duration d) {
            Objects.requireNonNull(d, "closeLinger");
            if (d.isNegative()) {
                throw new IllegalArgumentException("closeLinger must not be negative");
            }
            this.closeLinger = d;
            return this;
        }

        public Builder transport(UsmpTransport t) {
            this.transport = t;
            return this;
        }

        /**
         * Where listener calls run (each task it is given serves many devices, not one message);
         * default: a private pool of {@code maxConcurrentDeliveries} threads.
         */
        public Builder deliveryExecutor(Executor e) {
            this.deliveryExecutor = e;
            return this;
        }

        /**
         * At most {@code max} listener calls at once across devices; each device gets at most
         * {@code turn} calls in a row while others are waiting (fairness).
         */
        public Builder deliveries(int max, int turn) {
            this.maxConcurrentDeliveries = checkRange("maxConcurrentDeliveries", max, 1, 100_000);
            this.deliveryTurn = checkRange("deliveryTurn", turn, 1, 1_000_000);
            return this;
        }

        /**
         * Bounds the bytes queued for one session's socket (Netty write buffer water marks). Above
         * {@code high} the session is unwritable: {@link UsmpSession#isWritable()} is false, sends are
         * refused at once with {@link io.usmp.protocol.BackpressureException} and the device's socket
         * is not read; below {@code low} it is writable again. A session's queue never holds more than
         * {@code high} plus one message (and a closing BYE).
         */
        public Builder writeBufferWaterMarks(int low, int high) {
            checkRange("writeBufferHighWaterMark", high, 2 * 1024, 64 * 1024 * 1024);
            this.writeBufferLowWaterMark = checkRange("writeBufferLowWaterMark", low, 1, high);
            this.writeBufferHighWaterMark = high;
            return this;
        }

        /** Close a session that stays unwritable this long ({@code SLOW_CONSUMER}); zero disables. */
        public Builder slowConsumerTimeout(Duration d) {
            this.slowConsumerTimeout = Objects.requireNonNull(d, "slowConsumerTimeout");
            if (d.isNegative()) {
                throw new IllegalArgumentException("slowConsumerTimeout must not be negative");
            }
            return this;
        }

        public Builder crypto(UsmpCrypto c) {
            this.crypto = Objects.requireNonNull(c, "crypto");
            return this;
        }

        /** Randomness for challenge nonces and session ids (replaceable for deterministic tests). */
        public Builder random(SecureRandom r) {
            this.random = Objects.requireNonNull(r, "random");
            return this;
        }

        public Builder keyPairs(KeyPairSource k) {
            this.keyPairs = k;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(this);
        }
    }

    static int checkRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be within " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }
}
