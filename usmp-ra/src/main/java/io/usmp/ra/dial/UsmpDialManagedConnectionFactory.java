package io.usmp.ra.dial;

import io.usmp.ClientConfig;
import io.usmp.UsmpClient;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.ra.AdapterManagedConnectionFactory;
import io.usmp.ra.secret.PasswordSource;
import io.usmp.ra.api.UsmpDialException;
import io.usmp.ra.api.UsmpDialIdentitiesExhaustedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ValidatingManagedConnectionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Subject;

/**
 * Dial-out: each managed connection is one authenticated USMP client session to
 * {@code host:port}, as one of the factory's identities ({@code deviceId}, or the list
 * {@code deviceIds}) with the PSK stored under that id in the keystore (same rules as the inbound
 * activation). Sessions run on the adapter's I/O threads.
 *
 * <p>A USMP server keeps one session per device id (a second handshake replaces the first), so each
 * managed connection leases an identity no live session of this factory holds, and gives it back
 * when destroyed: concurrent sessions = number of identities. When all are leased, creating another
 * fails with {@link UsmpDialIdentitiesExhaustedException}; the pool's max-pool-size should be the
 * number of identities, so callers wait for a session instead.
 *
 * <p>Validation ({@link #getInvalidConnections}) sends a PING on each idle session and waits up to
 * {@code validationTimeoutMillis} for the PONG: a peer that vanished without FIN or RST, or stopped
 * reading, is found although the socket still takes bytes.
 *
 * <p>Two factories are equal when they dial the same target as the same identities with the same
 * settings; a managed connection matches only a factory equal to its own that has its identity.
 */
public class UsmpDialManagedConnectionFactory extends AdapterManagedConnectionFactory
        implements ValidatingManagedConnectionFactory {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(UsmpDialManagedConnectionFactory.class.getName());

    private String host;
    private Integer port = 7400;
    private String deviceId;
    private String deviceIds;
    private String keyStorePath;
    private String keyStoreType = "PKCS12";
    private transient char[] keyStorePassword;
    private String keyStorePasswordFile;
    private String keyStorePasswordEnv;
    private Integer keepaliveMillis = 30_000;
    private Integer connectTimeoutMillis = 5_000;
    private Integer handshakeTimeoutMillis = 10_000;
    private Integer receiveQueueCapacity = 64;
    private Integer validationTimeoutMillis = 2_000;

    /** PSK per identity, loaded once (copies are handed out and wiped by the caller). */
    private transient Map<DeviceId, byte[]> psks;
    /**
     * Identities no live managed connection of this factory holds, the longest free first: a session
     * replacing a failed one takes another identity when there is one, so it does not queue at the
     * peer behind the failed session's unprocessed messages (a gateway keeps one device's messages
     * in order across its sessions).
     */
    private transient ArrayDeque<DeviceId> free;
    private transient DialStats stats;

    @Override
    public Object createConnectionFactory(ConnectionManager cm) throws ResourceException {
        statistics();
        return new UsmpDialConnectionFactoryImpl(this, cm);
    }

    /** Checks every property; reports all problems in one exception. */
    public void validate() throws InvalidPropertyException {
        List<String> problems = new ArrayList<>();
        if (host == null || host.isBlank()) {
            problems.add("host must be set");
        }
        if (port == null || port < 1 || port > 65535) {
            problems.add("port must be 1..65535, got " + port);
        }
        if (blank(deviceId) == blank(deviceIds)) {
            problems.add("exactly one of deviceId (one identity) or deviceIds (a list) must be set");
        } else {
            try {
                identities();
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (keyStorePath == null || keyStorePath.isBlank()) {
            problems.add("keyStorePath must name the PKCS#12 PSK keystore");
        }
        int sources = (keyStorePassword != null ? 1 : 0) + (blank(keyStorePasswordFile) ? 0 : 1) + (blank(keyStorePasswordEnv) ? 0 : 1);
        if (sources != 1) {
            problems.add("exactly one of keyStorePasswordFile, keyStorePasswordEnv or keyStorePassword must be set, got " + sources);
        }
        if (keepaliveMillis == null || keepaliveMillis < 0) {
            problems.add("keepaliveMillis must be >= 0 (0 = off)");
        }
        if (connectTimeoutMillis == null || connectTimeoutMillis < 1) {
            problems.add("connectTimeoutMillis must be positive");
        }
        if (handshakeTimeoutMillis == null || handshakeTimeoutMillis < 1) {
            problems.add("handshakeTimeoutMillis must be positive");
        }
        if (receiveQueueCapacity == null || receiveQueueCapacity < 1) {
            problems.add("receiveQueueCapacity must be positive");
        }
        if (validationTimeoutMillis == null || validationTimeoutMillis < 1) {
            problems.add("validationTimeoutMillis must be positive");
        }
        if (!problems.isEmpty()) {
            throw new InvalidPropertyException("invalid USMP dial-out configuration: " + String.join("; ", problems));
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * Our identities in configuration order: {@code deviceIds} (separated by commas or white space)
     * or the one {@code deviceId}.
     *
     * @throws IllegalArgumentException an id is not 12 hex digits, or repeats
     */
    List<DeviceId> identities() {
        String spec = blank(deviceIds) ? Objects.requireNonNullElse(deviceId, "") : deviceIds;
        Set<DeviceId> ids = new LinkedHashSet<>();
        for (String hex : spec.trim().split("[,\\s]+")) {
            DeviceId id;
            try {
                id = DeviceId.fromHex(hex);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("device ids must be 12 hex digits, got " + hex);
            }
            if (!ids.add(id)) {
                throw new IllegalArgumentException("device id " + hex + " is listed twice");
            }
        }
        return List.copyOf(ids);
    }

    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) throws ResourceException {
        if (resourceAdapter() == null) {
            throw new ResourceException("the USMP dial connection factory is not associated with its resource adapter");
        }
        validate();
        DialStats s = statistics();
        DeviceId identity = lease();
        try {
            UsmpClient client = dial(identity, s);
            s.handshakes.increment();
            s.open.incrementAndGet();
            return new UsmpDialManagedConnection(this, identity, client, s);
        } catch (ResourceException | RuntimeException e) {
            release(identity);
            throw e;
        }
    }

    /** Takes the identity that has been free the longest. */
    private synchronized DeviceId lease() throws UsmpDialIdentitiesExhaustedException {
        if (free == null) {
            free = new ArrayDeque<>(identities());
        }
        DeviceId id = free.poll();
        if (id == null) {
            int n = identities().size();
            throw new UsmpDialIdentitiesExhaustedException("all " + n + " identities of the dial-out factory for "
                    + target() + " have a session (one session per device id); set max-pool-size to at most "
                    + n + " or add device ids");
        }
        return id;
    }

    /** A destroyed (or never established) session gives its identity back, to the end of the line. */
    synchronized void release(DeviceId identity) {
        if (free != null && !free.contains(identity)) {
            free.add(identity);
        }
    }

    private UsmpClient dial(DeviceId identity, DialStats s) throws ResourceException {
        ClientConfig.Builder builder;
        byte[] key = psk(identity);
        try {
            builder = ClientConfig.builder(host, port, identity, key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        ClientConfig config = builder
                .connectTimeout(Duration.ofMillis(connectTimeoutMillis))
                .handshakeTimeout(Duration.ofMillis(handshakeTimeoutMillis))
                .keepalive(Duration.ofMillis(keepaliveMillis))
                .receiveQueueCapacity(receiveQueueCapacity)
                .transport(resourceAdapter().transport())
                .build();
        try {
            return UsmpClient.connect(config);
        } catch (io.usmp.protocol.UsmpException e) {
            s.handshakeFailures.increment();
            String kind = e instanceof io.usmp.protocol.UsmpTimeoutException ? "timeout" : "handshake";
            throw new UsmpDialException("USMP handshake with " + target() + " failed: " + e.getMessage(), kind, e);
        } catch (IOException e) {
            s.handshakeFailures.increment();
            throw new UsmpDialException("cannot dial " + target() + ": " + e.getMessage(), "connect", e);
        } finally {
            config.wipe();
        }
    }

    /**
     * The PSK of {@code identity} from the keystore, whose keys for all identities are loaded once;
     * a copy the caller wipes. Errors never name the password.
     */
    private synchronized byte[] psk(DeviceId identity) throws ResourceException {
        if (psks == null) {
            char[] password = new char[0];
            try (InputStream in = Files.newInputStream(Path.of(keyStorePath))) {
                password = passwordChars();
                KeyStore ks = KeyStore.getInstance(keyStoreType);
                ks.load(in, password);
                PskResolver resolver = PskResolver.fromKeyStore(ks, password);
                Map<DeviceId, byte[]> keys = new HashMap<>();
                for (DeviceId id : identities()) {
                    byte[] key = resolver.resolve(id);
                    if (key == null) {
                        keys.values().forEach(k -> Arrays.fill(k, (byte) 0));
                        throw new ResourceException("the USMP PSK keystore " + keyStorePath + " has no key for device " + id.toHex());
                    }
                    keys.put(id, key);
                }
                psks = keys;
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                throw new ResourceException("cannot load the USMP PSK keystore " + keyStorePath + ": "
                        + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
            } finally {
                Arrays.fill(password, '\0');
                if (keyStorePassword != null) {
                    Arrays.fill(keyStorePassword, '\0');
                }
            }
        }
        return psks.get(identity).clone();
    }

    private char[] passwordChars() throws IOException {
        return PasswordSource.read(keyStorePasswordFile, keyStorePasswordEnv, keyStorePassword);
    }

    /**
     * Matches a live-or-not session of an equal factory (target and identities) that holds one of
     * our identities: a dead one fails at first use, or is found by validation.
     */
    @Override
    public ManagedConnection matchManagedConnections(Set connections, Subject subject, ConnectionRequestInfo info) {
        List<DeviceId> ids = identities();
        for (Object o : connections) {
            if (o instanceof UsmpDialManagedConnection mc && this.equals(mc.factory()) && ids.contains(mc.identity())
                    && !mc.isDestroyed()) {
                return mc;
            }
        }
        return null;
    }

    /**
     * Sessions that ended (peer BYE or disconnect, keepalive failure, violation), failed in use, or,
     * idle, did not answer a PING within {@code validationTimeoutMillis}. Checked one after the
     * other on the caller's thread: at most that long per idle session.
     */
    @Override
    public Set<ManagedConnection> getInvalidConnections(Set connections) {
        Set<ManagedConnection> invalid = new HashSet<>();
        Duration timeout = Duration.ofMillis(validationTimeoutMillis);
        for (Object o : connections) {
            if (o instanceof UsmpDialManagedConnection mc && !mc.isValid(timeout)) {
                invalid.add(mc);
            }
        }
        return invalid;
    }

    String target() {
        return host + ":" + port;
    }

    /** The statistics MXBean, registered once with the adapter (until it stops). */
    synchronized DialStats statistics() {
        if (stats == null) {
            stats = new DialStats(target(), identities().stream().map(DeviceId::toHex).toList());
            if (resourceAdapter() != null) {
                try {
                    resourceAdapter().registerMBean("DialPool", target(), stats);
                } catch (ResourceException e) {
                    LOG.log(System.Logger.Level.WARNING, "dial-out statistics for {0} not registered: {1}", target(), e.getMessage());
                }
            }
        }
        return stats;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    /** Our device id (12 hex digits), as the remote server knows us: one identity, one session at a time. */
    public String getDeviceId() {
        return deviceId;
    }

    public void setDeviceId(String deviceId) {
        this.deviceId = deviceId;
    }

    /** Instead of {@code deviceId}: several identities (ids separated by commas or white space), one session each. */
    public String getDeviceIds() {
        return deviceIds;
    }

    public void setDeviceIds(String deviceIds) {
        this.deviceIds = deviceIds;
    }

    public String getKeyStorePath() {
        return keyStorePath;
    }

    public void setKeyStorePath(String keyStorePath) {
        this.keyStorePath = keyStorePath;
    }

    public String getKeyStoreType() {
        return keyStoreType;
    }

    public void setKeyStoreType(String keyStoreType) {
        this.keyStoreType = keyStoreType;
    }

    /** Masked: the password itself is never read back. */
    public String getKeyStorePassword() {
        return keyStorePassword == null ? null : "********";
    }

    public void setKeyStorePassword(String keyStorePassword) {
        this.keyStorePassword = keyStorePassword == null ? null : keyStorePassword.toCharArray();
    }

    public String getKeyStorePasswordFile() {
        return keyStorePasswordFile;
    }

    public void setKeyStorePasswordFile(String keyStorePasswordFile) {
        this.keyStorePasswordFile = keyStorePasswordFile;
    }

    public String getKeyStorePasswordEnv() {
        return keyStorePasswordEnv;
    }

    public void setKeyStorePasswordEnv(String keyStorePasswordEnv) {
        this.keyStorePasswordEnv = keyStorePasswordEnv;
    }

    public Integer getKeepaliveMillis() {
        return keepaliveMillis;
    }

    public void setKeepaliveMillis(Integer keepaliveMillis) {
        this.keepaliveMillis = keepaliveMillis;
    }

    public Integer getConnectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    public void setConnectTimeoutMillis(Integer connectTimeoutMillis) {
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    public Integer getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    public void setHandshakeTimeoutMillis(Integer handshakeTimeoutMillis) {
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    public Integer getReceiveQueueCapacity() {
        return receiveQueueCapacity;
    }

    public void setReceiveQueueCapacity(Integer receiveQueueCapacity) {
        this.receiveQueueCapacity = receiveQueueCapacity;
    }

    /** How long validation waits for an idle session's PONG. */
    public Integer getValidationTimeoutMillis() {
        return validationTimeoutMillis;
    }

    public void setValidationTimeoutMillis(Integer validationTimeoutMillis) {
        this.validationTimeoutMillis = validationTimeoutMillis;
    }

    /** Target, identity and settings; never the password (sources are compared by name only). */
    @Override
    public boolean equals(Object o) {
        return o instanceof UsmpDialManagedConnectionFactory f
                && Objects.equals(host, f.host) && Objects.equals(port, f.port)
                && (deviceId == null ? f.deviceId == null : deviceId.equalsIgnoreCase(f.deviceId))
                && (deviceIds == null ? f.deviceIds == null : deviceIds.equalsIgnoreCase(f.deviceIds))
                && Objects.equals(keyStorePath, f.keyStorePath) && Objects.equals(keyStoreType, f.keyStoreType)
                && Objects.equals(keyStorePasswordFile, f.keyStorePasswordFile)
                && Objects.equals(keyStorePasswordEnv, f.keyStorePasswordEnv)
                && Objects.equals(keepaliveMillis, f.keepaliveMillis)
                && Objects.equals(connectTimeoutMillis, f.connectTimeoutMillis)
                && Objects.equals(handshakeTimeoutMillis, f.handshakeTimeoutMillis)
                && Objects.equals(receiveQueueCapacity, f.receiveQueueCapacity)
                && Objects.equals(validationTimeoutMillis, f.validationTimeoutMillis);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, deviceId == null ? null : deviceId.toLowerCase(Locale.ROOT),
                deviceIds == null ? null : deviceIds.toLowerCase(Locale.ROOT), keyStorePath);
    }

    @Override
    public String toString() {
        return "UsmpDialManagedConnectionFactory[" + target() + " device=" + (blank(deviceIds) ? deviceId : deviceIds)
                + " keyStore=" + keyStorePath + "]";
    }
}
