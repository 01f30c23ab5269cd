package io.usmp;

import java.io.IOException;
import java.util.ServiceLoader;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * What the static factories of this package ({@link UsmpServer#start}, {@link UsmpClient#connect},
 * {@link UsmpTransport#create}) delegate to. The implementation (Netty, in this same jar) registers
 * itself in {@code META-INF/services}, so this API package never depends on it. Not for
 * applications.
 */
public interface TransportProvider {
    UsmpServer startServer(ServerConfig config, ServerListener listener) throws IOException;

    UsmpClient connect(ClientConfig config) throws IOException;

    UsmpTransport transport(int threads, ThreadFactory threadFactory);

    UsmpTransport transport(int threads, Executor executor);

    /** The registered implementation, looked up once with this interface's own class loader. */
    static TransportProvider get() {
        return Registered.INSTANCE;
    }

    /** Lazy holder: the lookup runs on first use. */
    final class Registered {
        private static final TransportProvider INSTANCE = ServiceLoader.load(TransportProvider.class,
                        TransportProvider.class.getClassLoader()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + TransportProvider.class.getName()
                        + " registered in META-INF/services"));

        private Registered() {
        }
    }
}
