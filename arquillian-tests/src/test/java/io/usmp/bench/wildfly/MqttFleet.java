package io.usmp.bench.wildfly;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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
final class MqttFleet implements AutoCloseable {
    static final int WINDOW = 16;
    final List<Client> clients = new ArrayList<>();

    /** One device's client, its sequence numbers and its publishes in flight. */
    static final class Client implements IMqttActionListener {
        final int index;
        final MqttAsyncClient mqtt;
        final AtomicInteger inFlight = new AtomicInteger();
        final byte[] message = new byte[Probe.SIZE];
        long seq;
        volatile Thread waiter;

        Client(int index, String uri, int qos, UsmpFleet.ReplySink replies) throws MqttException {
            this.index = index;
            mqtt = new MqttAsyncClient(uri, "bench-" + index, new MemoryPersistence());
            mqtt.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    // counted as lost messages at the end of the measurement
                }

                @Override
                public void messageArrived(String topic, MqttMessage m) {
                    replies.reply(m.getPayload());
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                    // the publish's own listener (this) counts it
                }
            });
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setMaxInflight(WINDOW * 4);
            o.setKeepAliveInterval(120);
            o.setConnectionTimeout(60);
            mqtt.connect(o).waitForCompletion(60_000);
            mqtt.subscribe("benchreply" + index, qos).waitForCompletion(60_000);
        }

        /** Publishes the next benchmark message to {@code topic}; completion frees a window slot. */
        void publish(String topic, int qos, boolean reply) throws MqttException {
            ByteBuffer b = ByteBuffer.wrap(message);
            b.putInt(0, index).putLong(4, ++seq).putLong(12, System.nanoTime());
            message[20] = reply ? Probe.REPLY : 0;
            MqttMessage m = new MqttMessage(message.clone());
            m.setQos(qos);
            inFlight.incrementAndGet();
            mqtt.publish(topic, m, null, this);
        }

        @Override
        public void onSuccess(IMqttToken token) {
            inFlight.decrementAndGet();
            Thread w = waiter;
            if (w != null) {
                java.util.concurrent.locks.LockSupport.unpark(w);
            }
        }

        @Override
        public void onFailure(IMqttToken token, Throwable e) {
            onSuccess(token); // a failed publish frees its slot too; it shows as a lost message
        }
    }

    MqttFleet(int n, String uri, int qos, UsmpFleet.ReplySink replies) throws MqttException {
        for (int i = 0; i < n; i++) {
            clients.add(new Client(i, uri, qos, replies));
        }
    }

    void resetSequences() {
        clients.forEach(c -> c.seq = 0);
    }

    @Override
    public void close() {
        for (Client c : clients) {
            try {
                c.mqtt.disconnectForcibly(1000, 1000);
                c.mqtt.close();
            } catch (MqttException ignored) {
                // closing anyway
            }
        }
    }
}
