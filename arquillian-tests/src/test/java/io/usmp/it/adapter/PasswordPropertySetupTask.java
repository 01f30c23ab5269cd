package io.usmp.it.adapter;

import static org.jboss.as.controller.client.helpers.Operations.createAddOperation;
import static org.jboss.as.controller.client.helpers.Operations.createAddress;
import static org.jboss.as.controller.client.helpers.Operations.createRemoveOperation;

import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.dmr.ModelNode;

/**
 * Defines the keystore password as a server system property, so the deployment names it only as
 * an expression: the password never travels in the archive.
 */
public class PasswordPropertySetupTask implements ServerSetupTask {
    static final String PROPERTY = "usmp.it.keystore.password";
    private static final ModelNode ADDRESS = createAddress("system-property", PROPERTY);

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        ModelNode add = createAddOperation(ADDRESS);
        add.get("value").set(ItDevices.KEYSTORE_PASSWORD);
        executeOperation(client, add);
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) throws Exception {
        executeOperation(client, createRemoveOperation(ADDRESS));
    }
}
