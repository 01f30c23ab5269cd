package io.usmp.bench.wildfly;

import jakarta.annotation.Resource;
import jakarta.jms.BytesMessage;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;

/**
 * The broker path's MDB, the same work as {@link UsmpCountingMdb}: MQTT publishes reach it from the
 * remote Artemis broker through WildFly's pooled connection factory; a reply goes back through the
 * same factory to the MQTT topic {@code benchreply<device>} the device subscribed to.
 */
abstract class JmsCountingMdb implements MessageListener {
    static final String FACTORY = "java:/jms/benchArtemis";
    private final Probe probe = Probe.stream(getClass().getSimpleName());

    @Resource(lookup = FACTORY)
    private ConnectionFactory factory;

    @Override
    public void onMessage(Message message) {
        try {
            BytesMessage bytes = (BytesMessage) message;
            byte[] payload = new byte[(int) bytes.getBodyLength()];
            bytes.readBytes(payload);
            if (probe.record(payload)) {
                try (JMSContext context = factory.createContext()) {
                    int device = java.nio.ByteBuffer.wrap(payload).getInt(0);
                    // As durable as the publish: Artemis maps QoS 0 to non-durable, QoS 1 to durable messages; a
                    // reply durable by default would journal (and, not transacted, block on) every QoS 0 reply.
                    context.createProducer().setDeliveryMode(message.getJMSDeliveryMode())
                            .send(context.createTopic("benchreply" + device), payload);
                }
            }
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        }
    }
}
