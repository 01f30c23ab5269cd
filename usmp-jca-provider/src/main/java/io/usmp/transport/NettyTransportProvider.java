package io.usmp.transport;

import io.usmp.ClientConfig;
import io.usmp.ServerConfig;
import io.usmp.ServerListener;
import io.usmp.TransportProvider;
import io.usmp.UsmpClient;
import io.usmp.UsmpServer;
import io.usmp.UsmpTransport;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/** The Netty implementation behind the API's factories (registered in META-INF/services). */
public final class NettyTransportProvider implements TransportProvider {
    @Override
    public UsmpServer startServer(ServerConfig config, ServerListener listener) throws IOException {
        return TcpGateway.start(config, listener, Clock.SYSTEM);
    }

    @Override
    public UsmpClient connect(ClientConfig config) throws IOException {
        return DeviceClient.connect(config);
    }

    @Override
    public UsmpTransport transport(int threads, ThreadFactory threadFactory) {
        return NettyTransport.withThreadFactory(threads, threadFactory);
    }

    @Override
    public UsmpTransport transport(int threads, Executor executor) {
        return NettyTransport.withExecutor(threads, executor);
    }
}
