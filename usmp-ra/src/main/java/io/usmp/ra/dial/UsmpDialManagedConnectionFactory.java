package io.usmp.ra.dial;

import io.usmp.ClientConfig;
import io.usmp.UsmpClient;
import io.usmp.protocol.DeviceId;
import io.usmp.protocol.PskResolver;
import io.usmp.ra.UsmpResourceAdapter;
import io.usmp.ra.secret.PasswordSource;
import io.usmp.ra.api.UsmpDialException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import jakarta.resource.spi.ValidatingManagedConnectionFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Subject;

/**
 * Dial-out: each managed connection is one authenticated USMP client session to
 * {@code host:port}, as device {@code deviceId} with the PSK stored under that id in the keystore
 * (same rules as the inbound activation). Sessions run on the adapter's I/O threads.
 *
 * <p>Two factories are equal when they dial the same target as the same identity with the same
 * settings; a managed connection matches only a factory equal to its own.
 */
public class UsmpDialManagedConnectionFactory implements ManagedConnectionFactory, ResourceAdapterAssociation,
        ValidatingManagedConnectionFactory {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(UsmpDialManagedConnectionFactory.class.getName());

    private String host;
    private Integer port = 7400;
    private String deviceId;
    private String keyStorePath;
    private String keyStoreType = "PKCS12";
    private transient char[] keyStorePassword;
    private String keyStorePasswordFile;
    private String keyStorePasswordEnv;
    private Integer keepaliveMillis = 30_000;
    private Integer connectTimeoutMillis = 5_000;
    private Integer handshakeTimeoutMillis = 10_000;
    private Integer receiveQueueCapacity = 64;

    private transient UsmpResourceAdapter resourceAdapter;
    private transient PrintWriter logWriter;
    private transient byte[] psk;
    private transient DialStats stats;

    @Override
    public Object createConnectionFactory(ConnectionManager cm) throws ResourceException {
        statistics();
        return new UsmpDialConnectionFactoryImpl(this, cm);
    }

    @Override
    public Object createConnectionFactory() throws ResourceException {
        throw new jakarta.resource.NotSupportedException("the USMP adapter runs inside an application server only");
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
        try {
            DeviceId.fromHex(deviceId == null ? "" : deviceId);
        } catch (IllegalArgumentException e) {
            problems.add("deviceId must be 12 hex digits, got " + deviceId);
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
        if (!problems.isEmpty()) {
            throw new InvalidPropertyException("invalid USMP dial-out configuration: " + String.join("; ", problems));
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) throws ResourceException {
        if (resourceAdapter == null) {
            throw new ResourceException("the USMP dial connection factory is not associated with its resource adapter");
        }
        validate();
        DialStats s = statistics();
        ClientConfig.Builder builder;
        byte[] key = psk();
        try {
            builder = ClientConfig.builder(host, port, DeviceId.fromHex(deviceId), key);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        ClientConfig config = builder
                .connectTimeout(Duration.ofMillis(connectTimeoutMillis))
                .handshakeTimeout(Duration.ofMillis(handshakeTimeoutMillis))
                .keepalive(Duration.ofMillis(keepaliveMillis))
                .receiveQueueCapacity(receiveQueueCapacity)
                .transport(resourceAdapter.transport())
                .build();
        UsmpClient client;
        try {
            client = UsmpClient.connect(config);
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
        s.handshakes.increment();
        s.open.incrementAndGet();
        return new UsmpDialManagedConnection(this, client, s);
    }

    /** Our PSK from the keystore, loaded once; a copy the caller wipes. Errors never name the password. */
    private synchronized byte[] psk() throws ResourceException {
        if (psk == null) {
            char[] password = new char[0];
            try (InputStream in = Files.newInputStream(Path.of(keyStorePath))) {
                password = passwordChars();
                KeyStore ks = KeyStore.getInstance(keyStoreType);
                ks.load(in, password);
                PskResolver resolver = PskResolver.fromKeyStore(ks, password);
                byte[] key = resolver.resolve(DeviceId.fromHex(deviceId));
                if (key == null) {
                    throw new ResourceException("the USMP PSK keystore " + keyStorePath + " has no key for device " + deviceId);
                }
                psk = key;
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
        return psk.clone();
    }

    private char[] passwordChars() throws IOException {
        return PasswordSource.read(keyStorePasswordFile, keyStorePasswordEnv, keyStorePassword);
    }

    /** Matches a live-or-not session of an equal factory (target and identity): a dead one fails at first use. */
    @Override
    public ManagedConnection matchManagedConnections(Set connections, Subject subject, ConnectionRequestInfo info) {
        for (Object o : connections) {
            if (o instanceof UsmpDialManagedConnection mc && this.equals(mc.factory()) && !mc.isDestroyed()) {
                return mc;
            }
        }
        return null;
    }

    /** Sessions that ended (peer BYE or disconnect, keepalive failure, violation) or failed in use. */
    @Override
    public Set<ManagedConnection> getInvalidConnections(Set connections) {
        Set<ManagedConnection> invalid = new HashSet<>();
        for (Object o : connections) {
            if (o instanceof UsmpDialManagedConnection mc && !mc.isValid()) {
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
            stats = new DialStats(target(), deviceId);
            if (resourceAdapter != null) {
                try {
                    resourceAdapter.registerMBean("DialPool", target(), stats);
                } catch (ResourceException e) {
                    LOG.log(System.Logger.Level.WARNING, "dial-out statistics for {0} not registered: {1}", target(), e.getMessage());
                }
            }
        }
        return stats;
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) throws ResourceException {
        if (!(ra instanceof UsmpResourceAdapter)) {
            throw new ResourceException("not the USMP resource adapter: " + ra);
        }
        this.resourceAdapter = (UsmpResourceAdapter) ra;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
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

    /** Our device id (12 hex digits), as the remote server knows us. */
    public String getDeviceId() {
        return deviceId;
    }

    public void setDeviceId(String deviceId) {
        this.deviceId = deviceId;
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

    /** Target, identity and settings; never the password (sources are compared by name only). */
    @Override
    public boolean equals(Object o) {
        return o instanceof UsmpDialManagedConnectionFactory f
                && Objects.equals(host, f.host) && Objects.equals(port, f.port)
                && (deviceId == null ? f.deviceId == null : deviceId.equalsIgnoreCase(f.deviceId))
                && Objects.equals(keyStorePath, f.keyStorePath) && Objects.equals(keyStoreType, f.keyStoreType)
                && Objects.equals(keyStorePasswordFile, f.keyStorePasswordFile)
                && Objects.equals(keyStorePasswordEnv, f.keyStorePasswordEnv)
                && Objects.equals(keepaliveMillis, f.keepaliveMillis)
                && Objects.equals(connectTimeoutMillis, f.connectTimeoutMillis)
                && Objects.equals(handshakeTimeoutMillis, f.handshakeTimeoutMillis)
                && Objects.equals(receiveQueueCapacity, f.receiveQueueCapacity);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, deviceId == null ? null : deviceId.toLowerCase(java.util.Locale.ROOT), keyStorePath);
    }

    @Override
    public String toString() {
        return "UsmpDialManagedConnectionFactory[" + target() + " device=" + deviceId + " keyStore=" + keyStorePath + "]";
    }
}
