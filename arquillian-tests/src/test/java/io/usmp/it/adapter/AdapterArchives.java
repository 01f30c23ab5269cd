package io.usmp.it.adapter;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Builds usmp-it.ear: the real usmp-ra.rar produced by this build, an EJB module with the test MDB
 * (its activation properties in a generated jboss-ejb3.xml) and a WAR with the control servlet.
 */
final class AdapterArchives {
    static final String APP = "usmp-it";
    static final String RESOURCE_ADAPTER = APP + ".ear#usmp-ra.rar";
    /** Copied here by maven-dependency-plugin from the usmp-ra module's build. */
    static final Path RAR = Path.of("target", "deps", "usmp-ra.rar");

    private AdapterArchives() {
    }

    /** The RAR this build produced, as {@code usmp-ra.rar}; writes the test keystore first. */
    static ResourceAdapterArchive rar() throws Exception {
        ItDevices.writeKeyStore();
        return ShrinkWrap.createFromZipFile(ResourceAdapterArchive.class, new File(RAR.toString()));
    }

    static EnterpriseArchive ear() throws Exception {
        return ear(Map.of());
    }

    /** The EAR with some activation properties replaced or added. */
    static EnterpriseArchive ear(Map<String, String> overrides) throws Exception {
        ResourceAdapterArchive rar = rar();
        JavaArchive ejb = ShrinkWrap.create(JavaArchive.class, APP + "-ejb.jar")
                .addClasses(TestMdb.class, Recorder.class, DownlinkBean.class, AdapterArchives.class, BytePattern.class,
                        Gate.class)
                .addAsManifestResource(new StringAsset(jbossEjbXml("TestMdb", overrides)), "jboss-ejb3.xml");
        WebArchive war = ShrinkWrap.create(WebArchive.class, APP + "-web.war").addClass(ControlServlet.class);
        return ShrinkWrap.create(EnterpriseArchive.class, APP + ".ear")
                .addAsModule(rar)
                .addAsModule(ejb)
                .addAsModule(war);
    }

    /** Activation properties for the MDB named {@code ejbName}, with this run's paths. */
    static String jbossEjbXml(String ejbName, Map<String, String> overrides) {
        StringBuilder props = new StringBuilder();
        String[][] config = {
            {"bindAddress", "127.0.0.1"},
            {"port", String.valueOf(ItDevices.PORT)},
            {"keyStorePath", ItDevices.KEYSTORE.toString()},
            // Resolved by the server from a system property that PasswordPropertySetupTask defines.
            {"keyStorePassword", "${" + PasswordPropertySetupTask.PROPERTY + "}"},
            {"maxDeliveryAttempts", "3"},
            {"redeliveryBackoffMillis", "100"},
            {"deadLetterDirectory", ItDevices.DEAD_LETTERS.toString()},
            {"lockoutThreshold", "0"},
            {"maxConcurrentDeliveries", "8"},
            {"shutdownGraceMillis", "2000"},
            {"deliverSessionEvents", "true"},
        };
        // Overrides replace or add properties; an empty value leaves the property out.
        Map<String, String> merged = new LinkedHashMap<>();
        for (String[] kv : config) {
            merged.put(kv[0], kv[1]);
        }
        merged.putAll(overrides);
        merged.forEach((name, value) -> {
            if (!value.isEmpty()) {
                props.append("<activation-config-property><activation-config-property-name>").append(name)
                        .append("</activation-config-property-name><activation-config-property-value>").append(value)
                        .append("</activation-config-property-value></activation-config-property>\n");
            }
        });
        // jboss-ejb3.xml, not ejb-jar.xml: WildFly's default configuration resolves ${...} in JBoss
        // descriptors but not in spec descriptors (spec-descriptor-property-replacement=false).
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<jboss:ejb-jar xmlns:jboss=\"http://www.jboss.com/xml/ns/javaee\" xmlns=\"http://java.sun.com/xml/ns/javaee\""
                + " version=\"3.1\" impl-version=\"2.0\">\n"
                + "  <enterprise-beans>\n"
                + "    <message-driven>\n"
                + "      <ejb-name>" + ejbName + "</ejb-name>\n"
                + "      <activation-config>\n" + props + "      </activation-config>\n"
                + "    </message-driven>\n"
                + "  </enterprise-beans>\n"
                + "</jboss:ejb-jar>\n";
    }
}
