package io.usmp.it.adapter;

import static org.jboss.as.controller.client.helpers.Operations.createAddOperation;
import static org.jboss.as.controller.client.helpers.Operations.createAddress;
import static org.jboss.as.controller.client.helpers.Operations.createRemoveOperation;
import static org.jboss.as.controller.client.helpers.Operations.createWriteAttributeOperation;

import java.util.Map;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.as.controller.client.helpers.Operations;
import org.jboss.dmr.ModelNode;

/**
 * Configures WildFly the way the README tells a user to for the sample ({@link Server.Need#SAMPLE}): the system properties
 * its descriptors refer to, an XA default datasource (the command endpoint enlists the database
 * next to the adapter's one-phase resource), the ejb3 default resource adapter (the sample's MDB
 * names none) and the MDB pool, then a reload.
 */
public class SampleSetupTask extends MdbSupportServerSetupTask {
    private static final ModelNode XA_DATASOURCE = createAddress("subsystem", "datasources", "xa-data-source", "UsmpSampleXADS");
    private static final String XA_JNDI = "java:jboss/datasources/UsmpSampleXADS";
    private static final ModelNode DEFAULT_BINDINGS = createAddress("subsystem", "ee", "service", "default-bindings");

    private static Map<String, String> properties() {
        return Map.of("usmp.port", String.valueOf(SampleIT.PORT), "usmp.keystore", ItDevices.KEYSTORE.toString(),
                "usmp.keystore.password", ItDevices.KEYSTORE_PASSWORD);
    }

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        for (Map.Entry<String, String> p : properties().entrySet()) {
            ModelNode add = createAddOperation(createAddress("system-property", p.getKey()));
            add.get("value").set(p.getValue());
            executeOperation(client, add);
        }
        ModelNode ds = createAddOperation(XA_DATASOURCE);
        ds.get("driver-name").set("h2");
        ds.get("jndi-name").set(XA_JNDI);
        ds.get("user-name").set("sa");
        ds.get("password").set("sa");
        ModelNode url = createAddOperation(XA_DATASOURCE.clone().add("xa-datasource-properties", "URL"));
        url.get("value").set("jdbc:h2:mem:usmp-sample-it;DB_CLOSE_DELAY=-1");
        // One composite: WildFly refuses an XA datasource without its properties.
        executeOperation(client, Operations.CompositeOperationBuilder.create().addStep(ds).addStep(url).build().getOperation());
        executeOperation(client, createWriteAttributeOperation(DEFAULT_BINDINGS, "datasource", XA_JNDI));
        enableMdbs(client, SampleIT.APP + ".ear#usmp-ra.rar");
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) throws Exception {
        super.tearDown(client, containerId);
        executeOperation(client, createWriteAttributeOperation(DEFAULT_BINDINGS, "datasource", "java:jboss/datasources/ExampleDS"));
        executeOperation(client, createRemoveOperation(XA_DATASOURCE));
        for (String name : properties().keySet()) {
            executeOperation(client, createRemoveOperation(createAddress("system-property", name)));
        }
        MdbSupportServerSetupTask.reload(client);
    }
}
