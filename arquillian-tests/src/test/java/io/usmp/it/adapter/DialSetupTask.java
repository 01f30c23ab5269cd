package io.usmp.it.adapter;

import static org.jboss.as.controller.client.helpers.Operations.createAddOperation;
import static org.jboss.as.controller.client.helpers.Operations.createAddress;
import static org.jboss.as.controller.client.helpers.Operations.createRemoveOperation;

import java.util.Map;
import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.as.controller.client.helpers.Operations;
import org.jboss.dmr.ModelNode;

/**
 * Configures the dial-out factory the way the README tells an operator to: system properties that
 * the RAR's ironjacamar.xml reads as {@code ${usmp.dial.*}} expressions.
 */
public class DialSetupTask implements ServerSetupTask {
    static Map<String, String> properties() {
        return Map.of(
                "usmp.dial.host", "127.0.0.1",
                "usmp.dial.port", String.valueOf(DialOutIT.PORT),
                "usmp.dial.deviceId", DialOutIT.ME,
                "usmp.dial.keyStorePath", ItDevices.KEYSTORE.toString(),
                "usmp.dial.keyStorePasswordFile", DialOutIT.PASSWORD_FILE.toString());
    }

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        for (Map.Entry<String, String> p : properties().entrySet()) {
            ModelNode add = createAddOperation(createAddress("system-property", p.getKey()));
            add.get("value").set(p.getValue());
            ModelNode result = client.getControllerClient().execute(add);
            if (!Operations.isSuccessfulOutcome(result)) {
                throw new IllegalStateException(Operations.getFailureDescription(result).asString());
            }
        }
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) throws Exception {
        for (String name : properties().keySet()) {
            client.getControllerClient().execute(createRemoveOperation(createAddress("system-property", name)));
        }
    }
}
