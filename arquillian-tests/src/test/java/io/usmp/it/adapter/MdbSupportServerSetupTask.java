package io.usmp.it.adapter;

import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.as.controller.client.helpers.Operations;
import org.jboss.dmr.ModelNode;

/**
 * Lets plain standalone.xml deploy MDBs. Its ejb3 subsystem has no {@code <mdb>} element, and
 * WildFly then refuses any MDB at the PARSE phase ("service
 * jboss.ejb.default-resource-adapter-name-service not found"), even one that names its adapter
 * with a resource-adapter-binding. Writing the attribute installs that service at run time, no
 * reload needed. Test classes that deploy an MDB ask for it with
 * {@code @PreparedServer(Server.Need.MDBS)} (WildFlyServer runs this task; SampleIT still uses
 * {@code @ServerSetup}); tearDown undoes it.
 *
 * <p>The default adapter name points nowhere on purpose: every MDB of these tests names its
 * adapter (jboss-ejb3.xml's resource-adapter-binding "app.ear#adapter.rar", see WildFlyServer), and one that does not fails to deploy
 * with a missing dependency on {@value #NO_DEFAULT_ADAPTER} instead of silently binding to
 * something.
 */
public class MdbSupportServerSetupTask implements ServerSetupTask {

    static final String NO_DEFAULT_ADAPTER = "no-default-resource-adapter--name-one-with-ResourceAdapter";

    private static final ModelNode EJB3 = Operations.createAddress("subsystem", "ejb3");

    @Override
    public void setup(ManagementClient client, String containerId) throws Exception {
        executeOperation(client, Operations.createWriteAttributeOperation(EJB3, "default-resource-adapter-name", NO_DEFAULT_ADAPTER));
        executeOperation(client, Operations.createWriteAttributeOperation(EJB3, "default-mdb-instance-pool", "mdb-strict-max-pool"));
    }

    @Override
    public void tearDown(ManagementClient client, String containerId) throws Exception {
        executeOperation(client, Operations.createUndefineAttributeOperation(EJB3, "default-mdb-instance-pool"));
        executeOperation(client, Operations.createUndefineAttributeOperation(EJB3, "default-resource-adapter-name"));
    }
}
