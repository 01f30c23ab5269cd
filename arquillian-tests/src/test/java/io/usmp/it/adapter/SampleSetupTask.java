package io.usmp.it.adapter;

import static org.jboss.as.controller.client.helpers.Operations.createAddOperation;
import static org.jboss.as.controller.client.helpers.Operations.createAddress;
import static org.jboss.as.controller.client.helpers.Operations.createRemoveOperation;
import static org.jboss.as.controller.client.helpers.Operations.createUndefineAttributeOperation;
import static org.jboss.as.controller.client.helpers.Operations.createWriteAttributeOperation;

import java.util.Map;
import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.dmr.ModelNode;

/**
 * Configures the server the way the README tells a user to for the sample: the system properties
 * its descriptors refer to, and the ejb3 default resource adapter (the sample's MDB names none).
 */
public class SampleSetupTask implements ServerSetupTask {
    static final int PORT = 17401;
    private static final ModelNode EJB3 = createAddress("subsystem", "ejb3");

    private static Map<String, String> properties() {
        return Map.of("usmp.port", String.valueOf(PORT), "usmp.keystore", ItDevices.KEYSTORE.toString(),
                "usmp.keystore.password", ItDevices.KEYSTORE_PASSWORD);
    }

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        for (Map.Entry<String, String> p : properties().entrySet()) {
            ModelNode add = createAddOperation(createAddress("system-property", p.getKey()));
            add.get("value").set(p.getValue());
            executeOperation(client, add);
        }
        executeOperation(client, createWriteAttributeOperation(EJB3, "default-resource-adapter-name",
                SampleIT.APP + ".ear#usmp-ra.rar"));
        executeOperation(client, createWriteAttributeOperation(EJB3, "default-mdb-instance-pool", "mdb-strict-max-pool"));
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) throws Exception {
        executeOperation(client, createUndefineAttributeOperation(EJB3, "default-mdb-instance-pool"));
        executeOperation(client, createUndefineAttributeOperation(EJB3, "default-resource-adapter-name"));
        for (String name : properties().keySet()) {
            executeOperation(client, createRemoveOperation(createAddress("system-property", name)));
        }
    }
}
