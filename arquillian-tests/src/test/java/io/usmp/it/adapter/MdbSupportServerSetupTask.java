package io.usmp.it.adapter;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.as.controller.client.helpers.Operations;
import org.jboss.dmr.ModelNode;
import org.wildfly.plugin.tools.server.ServerManager;

/**
 * Lets plain standalone.xml deploy MDBs. Its ejb3 subsystem has no {@code <mdb>} element, and
 * WildFly then refuses any MDB at the PARSE phase ("service
 * jboss.ejb.default-resource-adapter-name-service not found"), even one that names its adapter
 * with a resource-adapter-binding. Writing the attributes installs that service; the MDB instance
 * pool is taken into use only after a reload, which WildFly does not announce (no
 * reload-required), so setup reloads. Test classes that deploy an MDB ask for it with
 * {@code @PreparedServer(Server.Need.MDBS)} (WildFlyServer runs this task, and for SampleIT's
 * {@code Need.SAMPLE} its subclass {@link SampleSetupTask}); tearDown undoes it.
 *
 * <p>The default adapter name points nowhere on purpose: every MDB of these tests names its
 * adapter (jboss-ejb3.xml's resource-adapter-binding "app.ear#adapter.rar", see WildFlyServer), and one that does not fails to deploy
 * with a missing dependency on {@value #NO_DEFAULT_ADAPTER} instead of silently binding to
 * something.
 */
public class MdbSupportServerSetupTask implements ServerSetupTask {

    static final String NO_DEFAULT_ADAPTER = "no-default-resource-adapter--name-one-with-ResourceAdapter";

    static final ModelNode EJB3 = Operations.createAddress("subsystem", "ejb3");

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        enableMdbs(client, NO_DEFAULT_ADAPTER);
    }

    /** Sets the default resource adapter and the MDB pool, then reloads so both are in force. */
    protected void enableMdbs(ManagementClient client, String defaultAdapter) throws Exception {
        executeOperation(client, Operations.createWriteAttributeOperation(EJB3, "default-resource-adapter-name", defaultAdapter));
        executeOperation(client, Operations.createWriteAttributeOperation(EJB3, "default-mdb-instance-pool", "mdb-strict-max-pool"));
        reload(client);
    }

    /** Reloads and waits until the server runs again (executeReload alone returns while it restarts). */
    static void reload(ManagementClient client) throws IOException, InterruptedException {
        ServerManager server = ServerManager.builder().client(client.getControllerClient()).standalone();
        server.executeReload();
        if (!server.waitFor(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the server did not come back within 120 s of a reload");
        }
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) throws Exception {
        executeOperation(client, Operations.createUndefineAttributeOperation(EJB3, "default-mdb-instance-pool"));
        executeOperation(client, Operations.createUndefineAttributeOperation(EJB3, "default-resource-adapter-name"));
    }
}
