package io.usmp.it.adapter;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Builds usmp-it.ear: the real usmp-ra.rar produced by this build, an EJB module with the test MDB
 * (bound to the adapter and configured by descriptors {@link Server#describeEjbs} generates for the server
 * under test) and a WAR with the control servlet.
 */
final class AdapterArchives {
    static final String APP = "usmp-it";
    static final String RAR_NAME = "usmp-ra";
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
        Server.Adapter adapter = Server.Adapter.inEar(APP, RAR_NAME);
        JavaArchive ejb = ShrinkWrap.create(JavaArchive.class, APP + "-ejb.jar")
                .addClasses(TestMdb.class, Recorder.class, DownlinkBean.class, BytePattern.class, Gate.class);
        Server.current().describeEjbs(ejb, "TestMdb", adapter, activation(overrides), true);
        WebArchive war = ShrinkWrap.create(WebArchive.class, APP + "-web.war").addClass(ControlServlet.class);
        EnterpriseArchive ear = ShrinkWrap.create(EnterpriseArchive.class, APP + ".ear")
                .addAsModule(rar)
                .addAsModule(ejb)
                .addAsModule(war);
        Server.current().addConnectionFactory(ear, adapter);
        return ear;
    }

    /** The test MDB's activation properties with this run's paths, with {@code overrides} applied. */
    static Map<String, String> activation(Map<String, String> overrides) {
        String[][] config = {
            {"bindAddress", "127.0.0.1"},
            {"port", String.valueOf(ItDevices.PORT)},
            {"keyStorePath", ItDevices.KEYSTORE.toString()},
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
        // The password outside the archive: WildFly resolves a system property that PasswordPropertySetupTask
        // defines, Payara Server a password alias, Payara Micro gets a file (see Server.keyStorePasswordActivation).
        merged.putAll(Server.current().keyStorePasswordActivation());
        merged.putAll(overrides);
        merged.values().removeIf(String::isEmpty);
        return merged;
    }
}
