package io.usmp.ra.inbound;

import io.usmp.ServerConfig;
import io.usmp.ra.secret.PasswordSource;
import io.usmp.TransportKind;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;
import java.beans.IntrospectionException;
import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.EnumSet;

/**
 * Activation properties of an MDB on the USMP adapter: where to listen, where the device PSKs
 * are, the limits of SPEC §6, and how deliveries are retried and dead-lettered. {@link #validate()}
 * reports every invalid property at once.
 */
public class UsmpActivationSpec implements ActivationSpec, Serializable {
    private static final long serialVersionUID = 1L;
    /** The port USMP gateways listen on unless told otherwise. */
    public static final int DEFAULT_PORT = 7400;

    private transient ResourceAdapter resourceAdapter;
    private String bindAddress = ServerConfig.DEFAULT_BIND_HOST;
    private Integer port = DEFAULT_PORT;
    /** {@code tcp} (default), {@code udp} or {@code both}: what the gateway serves on {@link #port}. */
    private String transport = "tcp";
    private String keyStorePath;
    private String keyStoreType = "PKCS12";
    /** Held as chars (wiped once the keystore is loaded) and never serialized. */
    private transient char[] keyStorePassword;
    private String keyStorePasswordFile;
    private String keyStorePasswordEnv;
    private Integer maxConnections = ServerConfig.DEFAULT_MAX_CONNECTIONS;
    private Integer maxConnectionsPerIp = ServerConfig.DEFAULT_MAX_CONNECTIONS_PER_IP;
    private Integer maxConcurrentHandshakes = ServerConfig.DEFAULT_MAX_CONCURRENT_HANDSHAKES;
    private Integer handshakeTimeoutMillis = (int) ServerConfig.DEFAULT_HANDSHAKE_TIMEOUT.toMillis();
    private Integer sessionTimeoutMillis = (int) ServerConfig.DEFAULT_SESSION_TIMEOUT.toMillis();
    private Integer lockoutThreshold = ServerConfig.DEFAULT_LOCKOUT_THRESHOLD;
    private Integer maxConcurrentDeliveries = ServerConfig.DEFAULT_MAX_CONCURRENT_DELIVERIES;
    private Integer perDeviceQueueBound = ServerConfig.DEFAULT_INBOUND_QUEUE_CAPACITY;
    private Integer maxDeliveryAttempts = 5;
    private Integer redeliveryBackoffMillis = 1_000;
    private String deadLetterDirectory;
    private Boolean deliverSessionEvents = false;
    private Integer shutdownGraceMillis = 5_000;
    private Integer maxHandshakesPerIp = ServerConfig.DEFAULT_MAX_HANDSHAKES_PER_IP;
    private Integer helloTimeoutMillis = (int) ServerConfig.DEFAULT_HELLO_TIMEOUT.toMillis();
    private Integer slowConsumerTimeoutMillis = (int) ServerConfig.DEFAULT_SLOW_CONSUMER_TIMEOUT.toMillis();
    private Integer closeLingerMillis = (int) ServerConfig.DEFAULT_CLOSE_LINGER.toMillis();

    @Override
    public void validate() throws InvalidPropertyException {
        List<String> problems = new ArrayList<>();
        List<PropertyDescriptor> bad = new ArrayList<>();
        check(bindAddress != null && !bindAddress.isBlank(), "bindAddress", "must be set", problems, bad);
        check(port != null && port >= 0 && port <= 65535, "port", "must be 0..65535, got " + port, problems, bad);
        check(transportKinds() != null, "transport", "must be tcp, udp or both, got " + transport, problems, bad);
        check(keyStorePath != null && !keyStorePath.isBlank(), "keyStorePath", "must name the PKCS#12 PSK keystore", problems, bad);
        if (keyStorePath != null && !keyStorePath.isBlank()) {
            check(Files.isReadable(Path.of(keyStorePath)), "keyStorePath", "is not a readable file: " + keyStorePath, problems, bad);
        }
        check(keyStoreType != null && !keyStoreType.isBlank(), "keyStoreType", "must be set (PKCS12)", problems, bad);
        int passwordSources = (keyStorePassword != null ? 1 : 0) + (blank(keyStorePasswordFile) ? 0 : 1)
                + (blank(keyStorePasswordEnv) ? 0 : 1);
        check(passwordSources == 1, "keyStorePassword", "exactly one of keyStorePasswordFile, keyStorePasswordEnv or "
                + "keyStorePassword must be set, got " + passwordSources, problems, bad);
        if (!blank(keyStorePasswordFile)) {
            check(Files.isReadable(Path.of(keyStorePasswordFile)), "keyStorePasswordFile", "is not a readable file: "
                    + keyStorePasswordFile, problems, bad);
        }
        if (!blank(keyStorePasswordEnv)) {
            check(System.getenv(keyStorePasswordEnv) != null, "keyStorePasswordEnv", "names no environment variable of "
                    + "the server: " + keyStorePasswordEnv, problems, bad);
        }
        positive(maxConnections, "maxConnections", problems, bad);
        positive(maxConnectionsPerIp, "maxConnectionsPerIp", problems, bad);
        positive(maxConcurrentHandshakes, "maxConcurrentHandshakes", problems, bad);
        positive(handshakeTimeoutMillis, "handshakeTimeoutMillis", problems, bad);
        check(sessionTimeoutMillis != null && sessionTimeoutMillis >= 0, "sessionTimeoutMillis",
                "must be 0 (off) or positive, got " + sessionTimeoutMillis, problems, bad);
        check(lockoutThreshold != null && lockoutThreshold >= 0, "lockoutThreshold", "must be 0 (off) or positive, got "
                + lockoutThreshold, problems, bad);
        positive(maxConcurrentDeliveries, "maxConcurrentDeliveries", problems, bad);
        positive(perDeviceQueueBound, "perDeviceQueueBound", problems, bad);
        positive(maxDeliveryAttempts, "maxDeliveryAttempts", problems, bad);
        check(redeliveryBackoffMillis != null && redeliveryBackoffMillis >= 0, "redeliveryBackoffMillis",
                "must not be negative, got " + redeliveryBackoffMillis, problems, bad);
        check(shutdownGraceMillis != null && shutdownGraceMillis >= 0, "shutdownGraceMillis",
                "must not be negative, got " + shutdownGraceMillis, problems, bad);
        positive(maxHandshakesPerIp, "maxHandshakesPerIp", problems, bad);
        positive(helloTimeoutMillis, "helloTimeoutMillis", problems, bad);
        check(slowConsumerTimeoutMillis != null && slowConsumerTimeoutMillis >= 0, "slowConsumerTimeoutMillis",
                "must be 0 (off) or positive, got " + slowConsumerTimeoutMillis, problems, bad);
        check(closeLingerMillis != null && closeLingerMillis >= 0, "closeLingerMillis",
                "must not be negative, got " + closeLingerMillis, problems, bad);
        if (!problems.isEmpty()) {
            InvalidPropertyException e = new InvalidPropertyException("invalid USMP activation properties: "
                    + String.join("; ", problems));
            e.setInvalidPropertyDescriptors(bad.toArray(new PropertyDescriptor[0]));
            throw e;
        }
    }

    private static void positive(Integer value, String name, List<String> problems, List<PropertyDescriptor> bad) {
        check(value != null && value > 0, name, "must be positive, got " + value, problems, bad);
    }

    private static void check(boolean ok, String name, String problem, List<String> problems, List<PropertyDescriptor> bad) {
        if (ok) {
            return;
        }
        problems.add(name + " " + problem);
        try {
            bad.add(new PropertyDescriptor(name, UsmpActivationSpec.class));
        } catch (IntrospectionException e) {
            throw new IllegalStateException("no bean property " + name, e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * A copy of the PSK keystore password, from the file, the environment variable or the property
     * (never part of toString or logs); the caller wipes it. A password file's trailing line break
     * is not part of the password.
     */
    char[] keyStorePasswordChars() throws IOException {
        return PasswordSource.read(keyStorePasswordFile, keyStorePasswordEnv, keyStorePassword);
    }

    /** Wipes a password given as a property, once the keystore is loaded. */
    void clearKeyStorePassword() {
        if (keyStorePassword != null) {
            Arrays.fill(keyStorePassword, '\0');
        }
    }

    /** Where dead letters go: the property, else the server's data directory, else the working directory. */
    Path deadLetterPath() {
        if (deadLetterDirectory != null && !deadLetterDirectory.isBlank()) {
            return Path.of(deadLetterDirectory);
        }
        for (String dataDir : new String[] {"jboss.server.data.dir", "com.sun.aas.instanceRoot"}) {
            String base = System.getProperty(dataDir);
            if (base != null) {
                return Path.of(base, "usmp", "dead-letter");
            }
        }
        return Path.of("usmp-dead-letter");
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) throws ResourceException {
        this.resourceAdapter = ra;
    }

    public String getBindAddress() {
        return bindAddress;
    }

    public void setBindAddress(String bindAddress) {
        this.bindAddress = bindAddress;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    /** {@code tcp} (default), {@code udp} or {@code both} (case-insensitive). */
    public String getTransport() {
        return transport;
    }

    public void setTransport(String transport) {
        this.transport = transport;
    }

    /** The transports {@link #getTransport()} names, or null when it names none. */
    public Set<TransportKind> transportKinds() {
        if (transport == null) {
            return null;
        }
        switch (transport.trim().toLowerCase(Locale.ROOT)) {
            case "tcp":
                return EnumSet.of(TransportKind.TCP);
            case "udp":
                return EnumSet.of(TransportKind.UDP);
            case "both":
                return EnumSet.of(TransportKind.TCP, TransportKind.UDP);
            default:
                return null;
        }
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

    /**
     * The keystore password itself. WildFly resolves a {@code ${...}} expression before its
     * management model shows the value, so prefer {@link #setKeyStorePasswordFile}.
     */
    public void setKeyStorePassword(String keyStorePassword) {
        this.keyStorePassword = keyStorePassword == null ? null : keyStorePassword.toCharArray();
    }

    public String getKeyStorePasswordFile() {
        return keyStorePasswordFile;
    }

    /** A file holding the keystore password (owner-readable only); management reads show only the path. */
    public void setKeyStorePasswordFile(String keyStorePasswordFile) {
        this.keyStorePasswordFile = keyStorePasswordFile;
    }

    public String getKeyStorePasswordEnv() {
        return keyStorePasswordEnv;
    }

    /** The name of a server environment variable holding the keystore password. */
    public void setKeyStorePasswordEnv(String keyStorePasswordEnv) {
        this.keyStorePasswordEnv = keyStorePasswordEnv;
    }

    public Integer getMaxConnections() {
        return maxConnections;
    }

    public void setMaxConnections(Integer maxConnections) {
        this.maxConnections = maxConnections;
    }

    public Integer getMaxConnectionsPerIp() {
        return maxConnectionsPerIp;
    }

    public void setMaxConnectionsPerIp(Integer maxConnectionsPerIp) {
        this.maxConnectionsPerIp = maxConnectionsPerIp;
    }

    public Integer getMaxConcurrentHandshakes() {
        return maxConcurrentHandshakes;
    }

    public void setMaxConcurrentHandshakes(Integer maxConcurrentHandshakes) {
        this.maxConcurrentHandshakes = maxConcurrentHandshakes;
    }

    public Integer getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    public void setHandshakeTimeoutMillis(Integer handshakeTimeoutMillis) {
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    public Integer getSessionTimeoutMillis() {
        return sessionTimeoutMillis;
    }

    public void setSessionTimeoutMillis(Integer sessionTimeoutMillis) {
        this.sessionTimeoutMillis = sessionTimeoutMillis;
    }

    public Integer getLockoutThreshold() {
        return lockoutThreshold;
    }

    public void setLockoutThreshold(Integer lockoutThreshold) {
        this.lockoutThreshold = lockoutThreshold;
    }

    public Integer getMaxConcurrentDeliveries() {
        return maxConcurrentDeliveries;
    }

    public void setMaxConcurrentDeliveries(Integer maxConcurrentDeliveries) {
        this.maxConcurrentDeliveries = maxConcurrentDeliveries;
    }

    public Integer getPerDeviceQueueBound() {
        return perDeviceQueueBound;
    }

    public void setPerDeviceQueueBound(Integer perDeviceQueueBound) {
        this.perDeviceQueueBound = perDeviceQueueBound;
    }

    public Integer getMaxDeliveryAttempts() {
        return maxDeliveryAttempts;
    }

    public void setMaxDeliveryAttempts(Integer maxDeliveryAttempts) {
        this.maxDeliveryAttempts = maxDeliveryAttempts;
    }

    public Integer getRedeliveryBackoffMillis() {
        return redeliveryBackoffMillis;
    }

    public void setRedeliveryBackoffMillis(Integer redeliveryBackoffMillis) {
        this.redeliveryBackoffMillis = redeliveryBackoffMillis;
    }

    public String getDeadLetterDirectory() {
        return deadLetterDirectory;
    }

    public void setDeadLetterDirectory(String deadLetterDirectory) {
        this.deadLetterDirectory = deadLetterDirectory;
    }

    public Boolean getDeliverSessionEvents() {
        return deliverSessionEvents;
    }

    public void setDeliverSessionEvents(Boolean deliverSessionEvents) {
        this.deliverSessionEvents = deliverSessionEvents;
    }

    public Integer getShutdownGraceMillis() {
        return shutdownGraceMillis;
    }

    public void setShutdownGraceMillis(Integer shutdownGraceMillis) {
        this.shutdownGraceMillis = shutdownGraceMillis;
    }

    public Integer getMaxHandshakesPerIp() {
        return maxHandshakesPerIp;
    }

    /** One source address's (IPv6: /64's) share of the handshake slots (SPEC §6). */
    public void setMaxHandshakesPerIp(Integer maxHandshakesPerIp) {
        this.maxHandshakesPerIp = maxHandshakesPerIp;
    }

    public Integer getHelloTimeoutMillis() {
        return helloTimeoutMillis;
    }

    /** Once a connection holds a handshake slot, its complete HELLO must arrive within this (SPEC §6). */
    public void setHelloTimeoutMillis(Integer helloTimeoutMillis) {
        this.helloTimeoutMillis = helloTimeoutMillis;
    }

    public Integer getSlowConsumerTimeoutMillis() {
        return slowConsumerTimeoutMillis;
    }

    /** A device whose socket takes no more data for this long is closed (0 = never). */
    public void setSlowConsumerTimeoutMillis(Integer slowConsumerTimeoutMillis) {
        this.slowConsumerTimeoutMillis = slowConsumerTimeoutMillis;
    }

    public Integer getCloseLingerMillis() {
        return closeLingerMillis;
    }

    /** After the adapter closes a session (undeploy), how long the device's in-flight messages are still read. */
    public void setCloseLingerMillis(Integer closeLingerMillis) {
        this.closeLingerMillis = closeLingerMillis;
    }

    @Override
    public String toString() {
        return "UsmpActivationSpec[" + transport + " " + bindAddress + ":" + port + " keyStore=" + keyStorePath + "]";
    }
}
