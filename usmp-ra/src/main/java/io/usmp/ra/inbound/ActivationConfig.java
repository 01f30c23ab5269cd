package io.usmp.ra.inbound;

import io.usmp.ServerConfig;
import io.usmp.UsmpTransport;
import io.usmp.protocol.PskResolver;
import jakarta.resource.ResourceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executor;

/** Turns activation properties into what the core's gateway takes: its PSKs and its configuration. */
final class ActivationConfig {
    private ActivationConfig() {
    }

    /** The device PSKs of the spec's keystore; errors name the file, never the password. */
    static PskResolver loadPsks(UsmpActivationSpec spec) throws ResourceException {
        char[] password = new char[0];
        try (InputStream in = Files.newInputStream(Path.of(spec.getKeyStorePath()))) {
            password = spec.keyStorePasswordChars();
            KeyStore ks = KeyStore.getInstance(spec.getKeyStoreType());
            ks.load(in, password);
            return PskResolver.fromKeyStore(ks, password);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new ResourceException("cannot load the USMP PSK keystore " + spec.getKeyStorePath() + ": "
                    + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(password, '\0');
            spec.clearKeyStorePassword();
        }
    }

    /** The gateway configuration of an activation; I/O on {@code transport}, deliveries on {@code delivery}. */
    static ServerConfig gateway(UsmpActivationSpec spec, PskResolver psks, UsmpTransport transport, Executor delivery) {
        return ServerConfig.builder(psks)
                .bind(spec.getBindAddress(), spec.getPort())
                .transports(spec.transportKinds())
                .maxConnections(spec.getMaxConnections(), spec.getMaxConnectionsPerIp())
                .maxConcurrentHandshakes(spec.getMaxConcurrentHandshakes())
                .maxHandshakesPerIp(spec.getMaxHandshakesPerIp())
                .helloTimeout(Duration.ofMillis(spec.getHelloTimeoutMillis()))
                .handshakeTimeout(Duration.ofMillis(spec.getHandshakeTimeoutMillis()))
                .sessionTimeout(Duration.ofMillis(spec.getSessionTimeoutMillis()))
                .lockout(spec.getLockoutThreshold(), ServerConfig.DEFAULT_LOCKOUT_MAX_SECONDS,
                        ServerConfig.DEFAULT_LOCKOUT_TABLE_SIZE)
                .inboundQueueCapacity(spec.getPerDeviceQueueBound())
                .slowConsumerTimeout(Duration.ofMillis(spec.getSlowConsumerTimeoutMillis()))
                .closeLinger(Duration.ofMillis(spec.getCloseLingerMillis()))
                .deliveries(spec.getMaxConcurrentDeliveries(), ServerConfig.DEFAULT_DELIVERY_TURN)
                .transport(transport)
                .deliveryExecutor(delivery)
                .build();
    }
}
