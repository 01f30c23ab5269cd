package io.usmp.it.adapter;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;

/**
 * Payara Server 6 or 7, domain1 unpacked into target/ and patched onto 127.0.0.1 (admin 24848, HTTP 28080).
 *
 * <ul>
 * <li>The keystore password is a password alias ({@code ${ALIAS=usmp-it-keystore}}), created once per run
 *     with asadmin; the domain keeps it encrypted in config/domain-passwords.</li>
 * <li>MDBs are bound by glassfish-ejb-jar.xml's resource-adapter-mid ({@code app#rar} for an adapter in an
 *     EAR, the RAR's name for a standalone one) and configured in ejb-jar.xml, where Payara resolves
 *     {@code ${...}}, including {@code ${ALIAS=...}}.</li>
 * <li>The connection factory is an application-scoped connector pool and resource declared by
 *     glassfish-resources.xml in the EAR, at {@value #FACTORY_JNDI}.</li>
 * <li>Management reads go through the admin REST interface.</li>
 * </ul>
 *
 * <p>arquillian-payara-server-managed 3.0.alpha7 starts the domain lazily in its first deploy() and has no
 * hook between "started" and "deploy"; {@link #prepare} therefore starts it (start-domain) before the first
 * test class's deployments. The container still stops it at the end, as it only skips stop-domain for a
 * server that was running when the container started.
 */
final class PayaraServer extends Server {
    static final String PASSWORD_ALIAS = "usmp-it-keystore";
    static final String FACTORY_JNDI = "java:app/usmp/ConnectionFactory";
    /** The alias the sample's WEB-INF/glassfish-ejb-jar.xml names (as the README tells a user to create it). */
    static final String SAMPLE_PASSWORD_ALIAS = "usmp-keystore";
    /** The resource type of the pool behind jdbc/__default (java:comp/DefaultDataSource) in domain1. */
    private static final String DEFAULT_POOL_RES_TYPE = "resources.jdbc-connection-pool.H2Pool.res-type";
    private static final String HOST = "127.0.0.1";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String id;
    private final Path home = Path.of(System.getProperty("payara.home"));
    private final int adminPort = Integer.getInteger("payara.adminPort", 24848);
    private boolean started;
    private boolean aliasCreated;

    PayaraServer(String id) {
        this.id = id;
    }

    @Override
    String name() {
        return "payara7".equals(id) ? "Payara Server 7" : "Payara Server 6";
    }

    @Override
    boolean isPayara() {
        return true;
    }

    Path domain() {
        return home.resolve("glassfish/domains/domain1");
    }

    @Override
    int httpPort() {
        return Integer.getInteger("payara.httpPort", 28080);
    }

    @Override
    synchronized void prepare(List<Need> needs) throws Exception {
        if (!started) {
            if (!listening(adminPort)) {
                long t0 = System.nanoTime();
                asadmin(300, "start-domain", "domain1");
                System.out.printf("[%s] start-domain took %d ms%n", name(), (System.nanoTime() - t0) / 1_000_000);
            }
            started = true;
        }
        // MDBS: nothing to do, Payara's EJB container has an MDB pool and binds by resourceAdapter.
        if (needs.contains(Need.KEYSTORE_PASSWORD) && !aliasCreated) {
            createPasswordAlias(PASSWORD_ALIAS, ItDevices.KEYSTORE_PASSWORD);
            aliasCreated = true;
        }
        if (needs.contains(Need.SAMPLE)) {
            asadmin(60, "create-system-properties", "usmp.port=" + SampleIT.PORT + ":usmp.keystore=" + ItDevices.KEYSTORE);
            createPasswordAlias(SAMPLE_PASSWORD_ALIAS, ItDevices.KEYSTORE_PASSWORD);
            // The command endpoint enlists the database next to the adapter's LocalTransaction connection,
            // and Payara takes one non-XA resource per transaction at most (the last agent): the default
            // datasource must be XA (H2's JdbcDataSource is both).
            asadmin(60, "set", DEFAULT_POOL_RES_TYPE + "=javax.sql.XADataSource");
        }
    }

    /** The password travels in a 0600 file under target/, read by asadmin and deleted at once. */
    void createPasswordAlias(String alias, String password) throws Exception {
        Path file = Path.of("target", "payara-alias.pwd").toAbsolutePath();
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(file, "AS_ADMIN_ALIASPASSWORD=" + password + "\n");
            asadminMayFail(60, "delete-password-alias", alias); // left from an earlier run of this domain
            asadmin(60, "--passwordfile", file.toString(), "create-password-alias", alias);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Override
    void cleanUp(List<Need> needs) throws Exception {
        // The test alias is kept for the next class, like WildFly's credential store; the next run deletes and
        // re-creates it. The sample's configuration goes, like SampleSetupTask's on WildFly.
        if (needs.contains(Need.SAMPLE)) {
            asadmin(60, "set", DEFAULT_POOL_RES_TYPE + "=javax.sql.DataSource");
            asadmin(60, "delete-password-alias", SAMPLE_PASSWORD_ALIAS);
            asadmin(60, "delete-system-property", "usmp.keystore");
            asadmin(60, "delete-system-property", "usmp.port");
        }
    }

    String keyStorePasswordExpression() {
        return "${ALIAS=" + PASSWORD_ALIAS + "}";
    }

    @Override
    Map<String, String> keyStorePasswordActivation() {
        return Map.of("keyStorePassword", keyStorePasswordExpression());
    }

    @Override
    void describeEjbs(JavaArchive ejb, String ejbName, Adapter adapter, Map<String, String> activation, boolean downlink) {
        // Payara names an adapter inside an EAR "app#rar" (no extensions), a standalone one by its name.
        describe(ejb, ejbName, (adapter.ear() == null ? "" : adapter.ear() + "#") + adapter.rar(), activation,
                downlink ? FACTORY_JNDI : null);
    }

    /**
     * ejb-jar.xml with the MDB's activation properties (and DownlinkBean's reference to {@code factory} unless
     * null) and glassfish-ejb-jar.xml binding the MDB to the adapter named {@code adapterName}. Not the
     * activation property resourceAdapter: Payara passes it on to ActivationSpec.setResourceAdapter (RAR7096
     * "Illegal type") and the activation fails. (Payara would also find the adapter by listener type alone, as
     * only one deployed adapter offers DeviceMessageListener; the binding makes it explicit.)
     */
    static void describe(JavaArchive ejb, String ejbName, String adapterName, Map<String, String> activation, String factory) {
        String mdb = "    <message-driven>\n"
                + "      <ejb-name>" + ejbName + "</ejb-name>\n"
                + "      <activation-config>\n" + activationConfig(activation) + "      </activation-config>\n"
                + "    </message-driven>\n";
        ejb.addAsManifestResource(new StringAsset(downlinkEjbJarXml(mdb, factory)), "ejb-jar.xml");
        ejb.addAsManifestResource(new StringAsset("""
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE glassfish-ejb-jar PUBLIC "-//GlassFish.org//DTD GlassFish Application Server 3.1 EJB 3.1//EN" "http://glassfish.org/dtds/glassfish-ejb-jar_3_1-1.dtd">
                <glassfish-ejb-jar>
                  <enterprise-beans>
                    <ejb>
                      <ejb-name>%s</ejb-name>
                      <mdb-resource-adapter>
                        <resource-adapter-mid>%s</resource-adapter-mid>
                      </mdb-resource-adapter>
                    </ejb>
                  </enterprise-beans>
                </glassfish-ejb-jar>
                """.formatted(ejbName, adapterName)), "glassfish-ejb-jar.xml");
    }

    /** ejb-jar.xml with {@code beans} and, unless {@code factory} is null, DownlinkBean's factory reference. */
    static String downlinkEjbJarXml(String beans, String factory) {
        String downlink = factory == null ? "" : "    <session>\n"
                + "      <ejb-name>DownlinkBean</ejb-name>\n"
                + "      <resource-ref>\n"
                + "        <res-ref-name>" + DownlinkBean.FACTORY + "</res-ref-name>\n"
                + "        <lookup-name>" + factory + "</lookup-name>\n"
                + "      </resource-ref>\n"
                + "    </session>\n";
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<ejb-jar xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"4.0\">\n"
                + "  <enterprise-beans>\n" + beans + downlink + "  </enterprise-beans>\n"
                + "</ejb-jar>\n";
    }

    @Override
    void addConnectionFactory(EnterpriseArchive ear, Adapter adapter) {
        ear.addAsManifestResource(new StringAsset("""
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE resources PUBLIC "-//GlassFish.org//DTD GlassFish Application Server 3.1 Resource Definitions//EN" "http://glassfish.org/dtds/glassfish-resources_1_5.dtd">
                <resources>
                  <connector-connection-pool name="java:app/usmp/ConnectionPool" resource-adapter-name="%s#%s"
                      connection-definition-name="io.usmp.ra.api.UsmpConnectionFactory" transaction-support="LocalTransaction"
                      steady-pool-size="0" max-pool-size="20"/>
                  <connector-resource jndi-name="%s" pool-name="java:app/usmp/ConnectionPool"/>
                </resources>
                """.formatted(adapter.ear(), adapter.rar(), FACTORY_JNDI)), "glassfish-resources.xml");
    }

    /**
     * glassfish-resources.xml: an application-scoped connector pool and resource per dial-out factory,
     * its configuration as pool properties; {@code is-connection-validation-required} validates a
     * session each time the pool hands it out; {@code pool-resize-quantity} 1, as Payara otherwise
     * opens two sessions (two handshakes) whenever it needs one.
     */
    @Override
    void addDialFactories(EnterpriseArchive ear, ResourceAdapterArchive rar, Adapter adapter, List<DialFactory> factories) {
        StringBuilder defs = new StringBuilder();
        for (DialFactory f : factories) {
            String pool = dialFactoryJndi(f.name()) + "Pool";
            defs.append("  <connector-connection-pool name=\"").append(pool).append("\" resource-adapter-name=\"")
                    .append(adapter.ear()).append('#').append(adapter.rar())
                    .append("\" connection-definition-name=\"io.usmp.ra.api.UsmpDialConnectionFactory\"")
                    .append(" transaction-support=\"LocalTransaction\" steady-pool-size=\"0\" pool-resize-quantity=\"1\"")
                    .append(" max-pool-size=\"")
                    .append(f.maxPoolSize()).append("\" is-connection-validation-required=\"").append(f.validateOnMatch())
                    .append("\">\n");
            f.properties().forEach((k, v) -> defs.append("    <property name=\"").append(k).append("\" value=\"").append(v)
                    .append("\"/>\n"));
            defs.append("  </connector-connection-pool>\n")
                    .append("  <connector-resource jndi-name=\"").append(dialFactoryJndi(f.name())).append("\" pool-name=\"")
                    .append(pool).append("\"/>\n");
        }
        ear.addAsManifestResource(new StringAsset("""
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE resources PUBLIC "-//GlassFish.org//DTD GlassFish Application Server 3.1 Resource Definitions//EN" "http://glassfish.org/dtds/glassfish-resources_1_5.dtd">
                <resources>
                %s</resources>
                """.formatted(defs)), "glassfish-resources.xml");
    }

    @Override
    String dialFactoryJndi(String name) {
        return "java:app/usmp/it/dial/" + name;
    }

    @Override
    String adminReadOfMdb(String app, String ejbModule, String ejbName) throws Exception {
        // The deployment's descriptors as the admin console shows them, and the application's configuration.
        return rest("/domain/applications/application/" + app + "/_get-deployment-configurations?appname=" + app)
                + "\n" + rest("/domain/applications/application/" + app);
    }

    @Override
    long threadsRunning(String... prefixes) throws Exception {
        // generate-jvm-report --type=thread: per thread "Thread <name> thread-id: <n> thread-state: ..." and
        // its whole stack, one "at: <frame>" per frame; the JSON carries it as one escaped string.
        String report = rest("/domain/servers/server/server/generate-jvm-report?type=thread")
                .replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\"");
        return countThreads(report.split("(?=Thread [^\n]{0,400}? thread-id: )"), "Thread ", "at: ", prefixes);
    }

    @Override
    List<Path> serverLogs() throws IOException {
        try (Stream<Path> files = Files.list(domain().resolve("logs"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("server.log")).sorted().toList();
        }
    }

    /** GET on the admin REST interface (JSON), body as text. */
    String rest(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + adminPort + "/management" + path))
                .header("Accept", "application/json").header("X-Requested-By", "usmp-it")
                .timeout(Duration.ofSeconds(60)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    void asadmin(int timeoutSeconds, String... args) throws Exception {
        int exit = run(timeoutSeconds, args);
        if (exit != 0) {
            throw new IllegalStateException("asadmin " + String.join(" ", args) + " failed: exit " + exit);
        }
    }

    private void asadminMayFail(int timeoutSeconds, String... args) throws Exception {
        run(timeoutSeconds, args);
    }

    private int run(int timeoutSeconds, String... args) throws Exception {
        String asJava = System.getenv("AS_JAVA");
        String java = (asJava != null ? asJava : System.getProperty("java.home")) + "/bin/java";
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", home.resolve("glassfish/modules/admin-cli.jar").toString(),
                "--host", HOST, "--port", String.valueOf(adminPort)));
        cmd.addAll(List.of(args));
        System.out.println("[" + name() + "] asadmin " + String.join(" ", args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).inheritIO().start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("asadmin timed out after " + timeoutSeconds + " s: " + cmd);
        }
        return p.exitValue();
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Text of every regular file under {@code dir} that contains {@code needle} (for the secrets checks). */
    static List<Path> filesContaining(Path dir, String needle) throws IOException {
        byte[] bytes = needle.getBytes(StandardCharsets.UTF_8);
        List<Path> hits = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                byte[] content = Files.readAllBytes(f);
                if (indexOf(content, bytes) >= 0) {
                    hits.add(f);
                }
            }
        }
        return hits;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
