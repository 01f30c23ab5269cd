package io.usmp.bench.wildfly;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The user's alternative: one Eclipse Paho asynchronous client per device, publishing the same
 * {@link Probe} messages to the Artemis broker's MQTT acceptor, pipelined up to {@link #WINDOW}
 * unacknowledged publishes per device. Device {@code i} subscribes to {@code benchreply<i>}, where the
 * JMS MDB sends replies.
 */
final class MqttFleet implements WildFlyBench.Fleet {
    static final int WINDOW = 16;
    /**
     * Clients connecting (and subscribing) at a time. Artemis stores every MQTT session's state (a clean
     * session's too) in a durable internal queue and blocks a thread of its server pool (30 by default)
     * until that store completes; with 50 concurrent connects the stores timed out here (AMQ850000, the
     * broker then drops the client), with 16 or 25 none did.
     */
    static final int CONNECT_BATCH = 16;
    private static final int ATTEMPTS = 3;
    /**
     * Within the broker's: Artemis's MQTT acceptor keeps its own keep-alive (serverKeepAlive, 60 s) for a
     * client asking for more and, MQTT 3.1.1 having no way to tell the client, closes one idle for 1.5 × 60 s
     * while Paho would ping only after the client's. With 120 s the first clients of a 1 000-device fleet were
     * dropped while the rest were still connecting (about 6 minutes one by one).
     */
    private static final int KEEP_ALIVE_SECONDS = 30;

    final List<Client> clients = new ArrayList<>();
    private final AtomicInteger connectionsLost = new AtomicInteger();
    private final AtomicReference<Throwable> firstLoss = new AtomicReference<>();

    /** One device's client, its sequence numbers, its publishes in flight and its replies awaited. */
    final class Client implements IMqttActionListener {
        final int index;
        final MqttAsyncClient mqtt;
        final AtomicInteger inFlight = new AtomicInteger();
        /** Messages sent asking for a reply whose reply has not come yet. */
        final AtomicInteger awaiting = new AtomicInteger();
        final byte[] message = new byte[Probe.SIZE];
        long seq;
        volatile Thread waiter;

        Client(int index, String uri, UsmpFleet.ReplySink replies) throws MqttException {
            this.index = index;
            mqtt = new MqttAsyncClient(uri, "bench-" + index, new MemoryPersistence());
            mqtt.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    connectionsLost.incrementAndGet();
                    firstLoss.compareAndSet(null, cause);
                }

                @Override
                public void messageArrived(String topic, MqttMessage m) {
                    awaiting.decrementAndGet();
                    replies.reply(m.getPayload());
                    wake();
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                    // the publish's own listener (this) counts it
                }
            });
        }

        /** Starts the connect; {@link #subscribe} once it completed. */
        IMqttToken connect() throws MqttException {
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setMaxInflight(WINDOW * 4);
            o.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
            o.setConnectionTimeout(60);
            return mqtt.connect(o);
        }

        IMqttToken subscribe(int qos) throws MqttException {
            return mqtt.subscribe("benchreply" + index, qos);
        }

        /** Publishes the next benchmark message to {@code topic}; completion frees a window slot. */
        void publish(String topic, int qos, boolean reply) throws MqttException {
            ByteBuffer b = ByteBuffer.wrap(message);
            b.putInt(0, index).putLong(4, ++seq).putLong(12, System.nanoTime());
            message[20] = reply ? Probe.REPLY : 0;
            MqttMessage m = new MqttMessage(message.clone());
            m.setQos(qos);
            inFlight.incrementAndGet();
            if (reply) {
                awaiting.incrementAndGet();
            }
            mqtt.publish(topic, m, null, this);
        }

        @Override
        public void onSuccess(IMqttToken token) {
            inFlight.decrementAndGet();
            wake();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
            onSuccess(token); // a failed publish frees its slot too; it shows as a lost message
        }

        private void wake() {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /**
     * Connects and subscribes clients 0..n-1 in batches of {@link #CONNECT_BATCH}, each client verified
     * (connected, subscription granted); a client that failed tries again after a back-off, up to
     * {@link #ATTEMPTS} times, and the fleet is refused if one never got through.
     */
    MqttFleet(int n, String uri, int qos, UsmpFleet.ReplySink replies) throws Exception {
        for (int i = 0; i < n; i++) {
            clients.add(new Client(i, uri, replies));
        }
        for (int from = 0; from < n; from += CONNECT_BATCH) {
            List<Client> batch = clients.subList(from, Math.min(n, from + CONNECT_BATCH));
            for (int attempt = 1; !batch.isEmpty(); attempt++) {
                List<Client> failed = new ArrayList<>();
                Throwable cause = connectAll(batch, qos, failed);
                if (!failed.isEmpty() && attempt == ATTEMPTS) {
                    throw new IllegalStateException(String.format("MQTT fleet: %d clients (first bench-%d) could not connect and"
                            + " subscribe in %d attempts; last error: %s", failed.size(), failed.get(0).index, ATTEMPTS, cause), cause);
                }
                if (!failed.isEmpty()) {
                    Thread.sleep(1000L * attempt);
                }
                batch = failed;
            }
        }
        connectionsLost.set(0); // losses of failed attempts were retried; from here on every loss refuses a row
        firstLoss.set(null);
    }

    /** Connects then subscribes {@code batch} concurrently; adds the ones that failed to {@code failed}, returns an error. */
    private static Throwable connectAll(List<Client> batch, int qos, List<Client> failed) {
        Throwable cause = null;
        List<IMqttToken> tokens = new ArrayList<>();
        for (Client c : batch) {
            try {
                tokens.add(c.connect());
            } catch (MqttException e) {
                tokens.add(null);
                cause = e;
            }
        }
        List<Client> connected = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Throwable e = await(tokens.get(i), false);
            if (e == null) {
                connected.add(batch.get(i));
            } else {
                failed.add(batch.get(i));
                cause = e;
            }
        }
        tokens.clear();
        for (Client c : connected) {
            try {
                tokens.add(c.subscribe(qos));
            } catch (MqttException e) {
                tokens.add(null);
                cause = e;
            }
        }
        for (int i = 0; i < connected.size(); i++) {
            Throwable e = await(tokens.get(i), true);
            if (e != null) {
                Client c = connected.get(i);
                failed.add(c);
                cause = e;
                try {
                    if (c.mqtt.isConnected()) {
                        c.mqtt.disconnectForcibly(0, 1000);
                    }
                } catch (MqttException ignored) {
                    // connected again on the next attempt anyway
                }
            }
        }
        return cause;
    }

    /** Null if {@code token} completed (and, for a subscription, was granted), else why not. */
    private static Throwable await(IMqttToken token, boolean subscription) {
        if (token == null) {
            return new IllegalStateException("not started");
        }
        try {
            token.waitForCompletion(60_000);
            if (subscription && token.getGrantedQos()[0] == 0x80) {
                return new IllegalStateException("subscription refused by the broker");
            }
            return null;
        } catch (MqttException e) {
            return e;
        }
    }

    @Override
    public void resetSequences() {
        clients.forEach(c -> {
            c.seq = 0;
            c.awaiting.set(0);
        });
    }

    @Override
    public void checkConnected() {
        long down = clients.stream().filter(c -> !c.mqtt.isConnected()).count();
        if (down > 0 || connectionsLost.get() > 0) {
            throw new IllegalStateException(String.format("MQTT fleet: %d of %d clients not connected, %d connections lost since"
                    + " the fleet connected (first: %s)", down, clients.size(), connectionsLost.get(), firstLoss.get()));
        }
    }

    /**
     * Disconnects in batches of {@link #CONNECT_BATCH}, like the connects: the broker stores each clean
     * session's end before it closes the connection, and Paho waits for that close, about a second per
     * client here, so one client after the other took a quarter of an hour for 1 000.
     */
    @Override
    public void close() {
        for (int from = 0; from < clients.size(); from += CONNECT_BATCH) {
            List<Client> batch = clients.subList(from, Math.min(clients.size(), from + CONNECT_BATCH));
            List<IMqttToken> tokens = new ArrayList<>();
            for (Client c : batch) {
                try {
                    tokens.add(c.mqtt.isConnected() ? c.mqtt.disconnect(0) : null);
                } catch (MqttException e) {
                    tokens.add(null); // closed below all the same
                }
            }
            for (int i = 0; i < batch.size(); i++) {
                MqttAsyncClient mqtt = batch.get(i).mqtt;
                try {
                    if (tokens.get(i) != null) {
                        tokens.get(i).waitForCompletion(5000);
                    }
                } catch (MqttException e) {
                    // not disconnected in time: closed forcibly below
                }
                try {
                    if (mqtt.isConnected()) {
                        mqtt.disconnectForcibly(0, 100);
                    }
                    mqtt.close();
                } catch (MqttException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
