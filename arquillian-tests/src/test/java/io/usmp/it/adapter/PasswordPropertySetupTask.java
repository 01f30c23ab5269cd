package io.usmp.it.adapter;

import static org.jboss.as.controller.client.helpers.Operations.createAddOperation;
import static org.jboss.as.controller.client.helpers.Operations.createAddress;
import static org.jboss.as.controller.client.helpers.Operations.createOperation;
import static org.jboss.as.controller.client.helpers.Operations.createRemoveOperation;

import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.as.controller.client.helpers.Operations;
import org.jboss.dmr.ModelNode;

/**
 * Keeps the keystore password the way an operator would: encrypted with a key from an Elytron
 * credential store, as an {@code ${ENC::...}} expression that defines a system property. The
 * deployment names only {@code ${usmp.it.keystore.password}}; the clear password is in neither the
 * archive nor the server configuration.
 */
public class PasswordPropertySetupTask implements ServerSetupTask {
    static final String PROPERTY = "usmp.it.keystore.password";
    private static final ModelNode PROPERTY_ADDRESS = createAddress("system-property", PROPERTY);
    private static final ModelNode STORE = createAddress("subsystem", "elytron", "secret-key-credential-store", "usmp-it");
    private static final ModelNode ENCRYPTION = createAddress("subsystem", "elytron", "expression", "encryption");

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        // Store and resolver are made once per server run and kept: removing them needs a reload,
        // and the read-only server configuration forgets them when the server stops anyway.
        if (!Operations.isSuccessfulOutcome(client.getControllerClient().execute(createOperation("read-resource", STORE)))) {
            addStoreAndResolver(client);
        }
        ModelNode create = createOperation("create-expression", ENCRYPTION);
        create.get("resolver").set("usmp-it");
        create.get("clear-text").set(ItDevices.KEYSTORE_PASSWORD);
        String expression = executeOperation(client, create).get("expression").asString();
        if (!expression.startsWith("${ENC::")) {
            throw new IllegalStateException("not an encrypted expression: " + expression);
        }
        ModelNode property = createAddOperation(PROPERTY_ADDRESS);
        property.get("value").set(expression);
        executeOperation(client, property);
    }

    private void addStoreAndResolver(ManagementClient client) throws Exception {
        ModelNode store = createAddOperation(STORE);
        store.get("path").set("usmp-it.cs");
        store.get("relative-to").set("jboss.server.data.dir");
        store.get("create").set(true);
        store.get("populate").set(true); // generates the secret key under the alias "key"
        executeOperation(client, store);

        ModelNode encryption = createAddOperation(ENCRYPTION);
        ModelNode resolver = new ModelNode();
        resolver.get("name").set("usmp-it");
        resolver.get("credential-store").set("usmp-it");
        resolver.get("secret-key").set("key");
        encryption.get("resolvers").add(resolver);
        executeOperation(client, encryption);
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) throws Exception {
        executeOperation(client, createRemoveOperation(PROPERTY_ADDRESS));
    }
}
