package io.usmp.it.adapter;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.spi.client.protocol.metadata.HTTPContext;
import org.jboss.shrinkwrap.api.Archive;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;

/**
 * The application server under test, as far as the tests need to know it: everything that is done
 * differently on WildFly and on Payara goes through here, so the test classes and their assertions are
 * the same on every server. Chosen by the system property {@code usmp.server} (wildfly, payara6, payara7,
 * micro7), which the Maven profiles set.
 */
abstract class Server {
    /** What a test class needs prepared on the server before it deploys (see {@link PreparedServer}). */
    enum Need {
        /** The server can deploy the test MDBs bound to a named resource adapter. */
        MDBS,
        /** The keystore password exists outside the archive, as {@link #keyStorePasswordActivation()} refers to it. */
        KEYSTORE_PASSWORD,
        /**
         * The server is configured as the README's "Deploying the sample" says for usmp-sample.ear: the
         * properties its descriptors refer to, with the device port {@link SampleIT#PORT}, the keystore
         * password, and an XA default datasource.
         */
        SAMPLE
    }

    /** Where the adapter the MDB binds to lives: inside {@code ear} (without extension), or deployed on its own. */
    record Adapter(String ear, String rar) {
        static Adapter inEar(String ear, String rar) {
            return new Adapter(ear, rar);
        }

        static Adapter standalone(String rar) {
            return new Adapter(null, rar);
        }
    }

    /**
     * A dial-out connection definition (io.usmp.ra.dial.UsmpDialManagedConnectionFactory) a test deploys
     * with its EAR: the factory's configuration properties, the pool's maximum size, and whether the pool
     * validates a session (PING/PONG) each time it hands it out.
     */
    record DialFactory(String name, Map<String, String> properties, int maxPoolSize, boolean validateOnMatch) {
    }

    private static Server current;

    static synchronized Server current() {
        if (current == null) {
            String name = System.getProperty("usmp.server", "wildfly");
            current = switch (name) {
                case "wildfly" -> new WildFlyServer();
                case "payara6", "payara7" -> new PayaraServer(name);
                case "micro7" -> new MicroServer();
                default -> throw new IllegalStateException("unknown usmp.server " + name);
            };
        }
        return current;
    }

    /** E.g. "WildFly", "Payara Server 6"; what a test names when a behaviour differs by server. */
    abstract String name();

    /** Payara Server (a domain administered with asadmin); not Payara Micro. */
    boolean isPayara() {
        return false;
    }

    /** Whether undeploying an archive stops the whole server (Payara Micro: one JVM per deployment). */
    boolean undeployStopsServer() {
        return false;
    }

    /** The port of the server's HTTP listener on 127.0.0.1, for deployments the test reaches without an injected URL. */
    abstract int httpPort();

    abstract void prepare(List<Need> needs) throws Exception;

    abstract void cleanUp(List<Need> needs) throws Exception;

    /**
     * The activation properties that give the adapter the keystore password without the password itself:
     * {@code keyStorePassword} as an expression the server resolves, or {@code keyStorePasswordFile}.
     */
    abstract Map<String, String> keyStorePasswordActivation();

    /**
     * Adds to {@code ejb} the descriptors that bind the MDB {@code ejbName} to {@code adapter} with these
     * activation properties, and map the reference {@link DownlinkBean#FACTORY} to the adapter's connection
     * factory when {@code downlink} is true.
     */
    abstract void describeEjbs(JavaArchive ejb, String ejbName, Adapter adapter, Map<String, String> activation,
            boolean downlink);

    /** Adds what the server needs in the EAR to give the embedded adapter a connection factory (may be nothing). */
    abstract void addConnectionFactory(EnterpriseArchive ear, Adapter adapter);

    /**
     * Adds to {@code ear} what gives the adapter {@code rar} (embedded in it as {@code adapter}) a pooled
     * connection factory for each of {@code factories}, bound at {@link #dialFactoryJndi}.
     */
    abstract void addDialFactories(EnterpriseArchive ear, ResourceAdapterArchive rar, Adapter adapter,
            List<DialFactory> factories);

    /** Where the application finds the dial-out factory {@code name} of {@link #addDialFactories}. */
    abstract String dialFactoryJndi(String name);

    /** An administrator's read of the deployed MDB {@code ejbName} (configuration and runtime), as text. */
    abstract String adminReadOfMdb(String app, String ejbModule, String ejbName) throws Exception;

    /** Threads of the server that have a frame of a class whose name starts with one of {@code prefixes}. */
    abstract long threadsRunning(String... prefixes) throws Exception;

    /** The server's log files of this run (for {@link ServerLogSecretsScan}, once the server stopped). */
    abstract List<Path> serverLogs() throws Exception;

    /** The archive to hand to the server for {@code archive} (by default itself; Payara Micro takes no EAR). */
    Archive<?> deployable(Archive<?> archive) throws Exception {
        return archive;
    }

    /** Where the client reaches a deployment the container reported at {@code context} (by default there). */
    HTTPContext reachable(HTTPContext context) {
        return context;
    }

    /** Called once the container undeployed an archive. */
    void undeployed() throws Exception {
    }

    /**
     * Of a thread dump cut into one block per thread, the blocks that start with {@code threadStart} and
     * have a frame {@code frame} + a class name starting with one of {@code prefixes}.
     */
    static long countThreads(String[] blocks, String threadStart, String frame, String... prefixes) {
        return Arrays.stream(blocks).filter(t -> t.startsWith(threadStart))
                .filter(t -> Arrays.stream(prefixes).anyMatch(p -> t.contains(frame + p))).count();
    }

    static String activationConfig(Map<String, String> properties) {
        StringBuilder props = new StringBuilder();
        properties.forEach((name, value) -> props.append("<activation-config-property><activation-config-property-name>")
                .append(name).append("</activation-config-property-name><activation-config-property-value>")
                .append(value).append("</activation-config-property-value></activation-config-property>\n"));
        return props.toString();
    }
}
