package io.usmp.it.adapter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jboss.as.arquillian.api.ServerSetupTask;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.as.controller.client.ModelControllerClient;
import org.jboss.as.controller.client.helpers.Operations;
import org.jboss.dmr.ModelNode;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;

/**
 * WildFly 39 (standalone.xml, management on 127.0.0.1:10190): the setup tasks run against its
 * management model, the MDB is bound to its adapter and configured in jboss-ejb3.xml (WildFly resolves
 * {@code ${...}} there but not in ejb-jar.xml), the connection factory is the one the RAR's
 * ironjacamar.xml binds at {@code java:/usmp/ConnectionFactory}.
 */
final class WildFlyServer extends Server {
    static final String CONTAINER = "wildfly-managed";
    private static final String HOST = "127.0.0.1";
    private static final int MANAGEMENT_PORT = 10190;

    private ManagementClient management;

    @Override
    String name() {
        return "WildFly";
    }

    private synchronized ManagementClient management() throws java.io.IOException {
        if (management == null) {
            ModelControllerClient client = ModelControllerClient.Factory.create("remote+http", HOST, MANAGEMENT_PORT);
            management = new ManagementClient(client, HOST, MANAGEMENT_PORT, "remote+http");
        }
        return management;
    }

    private static ServerSetupTask task(Need need) {
        return switch (need) {
            case MDBS -> new MdbSupportServerSetupTask();
            case KEYSTORE_PASSWORD -> new PasswordPropertySetupTask();
            case SAMPLE -> new SampleSetupTask();
        };
    }

    /** 8080 with the port offset 200 of arquillian.xml. */
    @Override
    int httpPort() {
        return 8280;
    }

    @Override
    void prepare(List<Need> needs) throws Exception {
        for (Need need : needs) {
            task(need).setup(management(), CONTAINER);
        }
    }

    @Override
    void cleanUp(List<Need> needs) throws Exception {
        List<Need> reversed = new ArrayList<>(needs);
        Collections.reverse(reversed);
        for (Need need : reversed) {
            task(need).tearDown(management(), CONTAINER);
        }
    }

    @Override
    Map<String, String> keyStorePasswordActivation() {
        // A system property PasswordPropertySetupTask defines as an Elytron encrypted expression.
        return Map.of("keyStorePassword", "${" + PasswordPropertySetupTask.PROPERTY + "}");
    }

    @Override
    void describeEjbs(JavaArchive ejb, String ejbName, Adapter adapter, Map<String, String> activation, boolean downlink) {
        // WildFly names an adapter inside an EAR "app.ear#adapter.rar"; the portable resourceAdapter
        // activation property is ignored, so the binding is WildFly's own resource-adapter-binding.
        String adapterName = (adapter.ear() == null ? "" : adapter.ear() + ".ear#") + adapter.rar() + ".rar";
        // jboss-ejb3.xml, not ejb-jar.xml: WildFly's default configuration resolves ${...} in JBoss
        // descriptors but not in spec descriptors (spec-descriptor-property-replacement=false).
        ejb.addAsManifestResource(new StringAsset("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<jboss:ejb-jar xmlns:jboss=\"http://www.jboss.com/xml/ns/javaee\" xmlns=\"http://java.sun.com/xml/ns/javaee\""
                + " xmlns:r=\"urn:resource-adapter-binding\" version=\"3.1\" impl-version=\"2.0\">\n"
                + "  <enterprise-beans>\n"
                + "    <message-driven>\n"
                + "      <ejb-name>" + ejbName + "</ejb-name>\n"
                + "      <activation-config>\n" + activationConfig(activation) + "      </activation-config>\n"
                + "    </message-driven>\n"
                + "  </enterprise-beans>\n"
                + "  <assembly-descriptor>\n"
                + "    <r:resource-adapter-binding>\n"
                + "      <ejb-name>" + ejbName + "</ejb-name>\n"
                + "      <r:resource-adapter-name>" + adapterName + "</r:resource-adapter-name>\n"
                + "    </r:resource-adapter-binding>\n"
                + "  </assembly-descriptor>\n"
                + "</jboss:ejb-jar>\n"), "jboss-ejb3.xml");
        if (downlink) {
            ejb.addAsManifestResource(new StringAsset(PayaraServer.downlinkEjbJarXml("", "java:/usmp/ConnectionFactory")),
                    "ejb-jar.xml");
        }
    }

    @Override
    void addConnectionFactory(EnterpriseArchive ear, Adapter adapter) {
        // Bound by the RAR's ironjacamar.xml at java:/usmp/ConnectionFactory.
    }

    /**
     * The RAR's ironjacamar.xml, replaced: the downlink definition as shipped, then one definition per
     * dial-out factory (WildFly activates an outbound definition only when a descriptor names it).
     */
    @Override
    void addDialFactories(EnterpriseArchive ear, ResourceAdapterArchive rar, Adapter adapter, List<DialFactory> factories) {
        StringBuilder defs = new StringBuilder();
        for (DialFactory f : factories) {
            defs.append("    <connection-definition class-name=\"io.usmp.ra.dial.UsmpDialManagedConnectionFactory\" jndi-name=\"")
                    .append(dialFactoryJndi(f.name())).append("\" pool-name=\"UsmpDial-").append(f.name()).append("\">\n");
            f.properties().forEach((k, v) -> defs.append("      <config-property name=\"").append(k).append("\">").append(v)
                    .append("</config-property>\n"));
            defs.append("      <pool><min-pool-size>0</min-pool-size><max-pool-size>").append(f.maxPoolSize())
                    .append("</max-pool-size></pool>\n");
            if (f.validateOnMatch()) {
                defs.append("      <validation><validate-on-match>true</validate-on-match></validation>\n");
            }
            defs.append("    </connection-definition>\n");
        }
        rar.delete("META-INF/ironjacamar.xml");
        rar.addAsManifestResource(new StringAsset("""
                <?xml version="1.0" encoding="UTF-8"?>
                <ironjacamar xmlns="http://www.ironjacamar.org/doc/schema">
                  <transaction-support>LocalTransaction</transaction-support>
                  <connection-definitions>
                    <connection-definition class-name="io.usmp.ra.outbound.UsmpManagedConnectionFactory"
                                           jndi-name="java:/usmp/ConnectionFactory" pool-name="UsmpConnectionPool">
                      <pool><min-pool-size>0</min-pool-size><max-pool-size>20</max-pool-size></pool>
                    </connection-definition>
                %s  </connection-definitions>
                </ironjacamar>
                """.formatted(defs)), "ironjacamar.xml");
    }

    @Override
    String dialFactoryJndi(String name) {
        return "java:/usmp/it/dial/" + name;
    }

    @Override
    String adminReadOfMdb(String app, String ejbModule, String ejbName) throws Exception {
        ModelNode address = Operations.createAddress("deployment", app + ".ear", "subdeployment", ejbModule,
                "subsystem", "ejb3", "message-driven-bean", ejbName);
        ModelNode read = Operations.createReadResourceOperation(address, true);
        read.get("include-runtime").set(true);
        ModelNode result = management().getControllerClient().execute(read);
        if (!"success".equals(result.get("outcome").asString())) {
            throw new AssertionError(result.toString());
        }
        return result.toString();
    }

    @Override
    long threadsRunning(String... prefixes) throws Exception {
        ModelNode op = Operations.createOperation("dump-all-threads",
                Operations.createAddress("core-service", "platform-mbean", "type", "threading"));
        op.get("locked-monitors").set(false);
        op.get("locked-synchronizers").set(false);
        ModelNode result = management().getControllerClient().execute(op);
        if (!Operations.isSuccessfulOutcome(result)) {
            throw new AssertionError(Operations.getFailureDescription(result).asString());
        }
        return Operations.readResult(result).asList().stream()
                .filter(t -> t.get("stack-trace").asList().stream().anyMatch(frame -> {
                    String cls = frame.get("class-name").asString();
                    for (String p : prefixes) {
                        if (cls.startsWith(p)) {
                            return true;
                        }
                    }
                    return false;
                }))
                .count();
    }

    @Override
    List<Path> serverLogs() {
        return List.of(Path.of(System.getProperty("jboss.home"), "standalone", "log", "server.log"));
    }
}
