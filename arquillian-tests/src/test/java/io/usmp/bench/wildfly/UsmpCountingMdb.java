package io.usmp.bench.wildfly;

import io.usmp.ra.api.DeviceMessage;
import io.usmp.ra.api.DeviceMessageListener;
import io.usmp.ra.api.DeviceNotConnectedException;

/**
 * The trivial device MDB: counts, checks per-device order and, when the message asks, replies with
 * it. The two subclasses differ only in their transaction attribute; their activations (port,
 * keystore, adapter binding) are in the jboss-ejb3.xml {@link WildFlyBench} writes.
 */
abstract class UsmpCountingMdb implements DeviceMessageListener {
    private final Probe probe = Probe.stream(getClass().getSimpleName());

    @Override
    public void onMessage(DeviceMessage message) {
        if (message.kind() == DeviceMessage.Kind.MESSAGE && probe.record(message.payload())) {
            try {
                message.reply(message.payload());
            } catch (DeviceNotConnectedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
