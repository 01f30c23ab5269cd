package io.usmp.it.adapter;

import java.io.File;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Builds usmp-it.ear: the real usmp-ra.rar produced by this build, an EJB module with the test MDB
 * (its activation properties in a generated ejb-jar.xml) and a WAR with the control servlet.
 */
final class AdapterArchives {
    static final String APP = "usmp-it";
    static final String RESOURCE_ADAPTER = APP + ".ear#usmp-ra.rar";
    /** Copied here by maven-dependency-plugin from the usmp-ra module's build. */
    static final Path RAR = Path.of("target", "deps", "usmp-ra.rar");

    private AdapterArchives() {
    }

    static EnterpriseArchive ear() throws Exception {
        ItDevices.writeKeyStore();
        ResourceAdapterArchive rar = ShrinkWrap.createFromZipFile(ResourceAdapterArchive.class, new File(RAR.toString()));
        JavaArchive ejb = ShrinkWrap.create(JavaArchive.class, APP + "-ejb.jar")
                .addClasses(TestMdb.class, Recorder.class, DownlinkBean.class, AdapterArchives.class)
                .addAsManifestResource(new StringAsset(ejbJarXml()), "ejb-jar.xml");
        WebArchive war = ShrinkWrap.create(WebArchive.class, APP + "-web.war").addClass(ControlServlet.class);
        return ShrinkWrap.create(EnterpriseArchive.class, APP + ".ear")
                .addAsModule(rar)
                .addAsModule(ejb)
                .addAsModule(war);
    }

    private static String ejbJarXml() {
        StringBuilder props = new StringBuilder();
        String[][] config = {
            {"bindAddress", "127.0.0.1"},
            {"port", String.valueOf(ItDevices.PORT)},
            {"keyStorePath", ItDevices.KEYSTORE.toString()},
            {"keyStorePassword", ItDevices.KEYSTORE_PASSWORD},
            {"maxDeliveryAttempts", "3"},
            {"redeliveryBackoffMillis", "100"},
            {"deadLetterDirectory", ItDevices.DEAD_LETTERS.toString()},
            {"lockoutThreshold", "0"},
            {"maxConcurrentDeliveries", "8"},
            {"shutdownGraceMillis", "2000"},
            {"deliverSessionEvents", "true"},
        };
        for (String[] kv : config) {
            props.append("<activation-config-property><activation-config-property-name>").append(kv[0])
                    .append("</activation-config-property-name><activation-config-property-value>").append(kv[1])
                    .append("</activation-config-property-value></activation-config-property>\n");
        }
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <ejb-jar xmlns="https://jakarta.ee/xml/ns/jakartaee" version="4.0">
                  <enterprise-beans>
                    <message-driven>
                      <ejb-name>TestMdb</ejb-name>
                      <messaging-type>io.usmp.ra.api.DeviceMessageListener</messaging-type>
                      <activation-config>
                """ + props + """
                      </activation-config>
                    </message-driven>
                  </enterprise-beans>
                </ejb-jar>
                """;
    }
}
