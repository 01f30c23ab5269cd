package io.usmp.it.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.arquillian.container.spi.client.protocol.metadata.HTTPContext;
import org.jboss.arquillian.container.spi.client.protocol.metadata.Servlet;
import org.jboss.shrinkwrap.api.Archive;
import org.jboss.shrinkwrap.api.Filters;
import org.jboss.shrinkwrap.api.Node;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.ResourceAdapterArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Payara Micro 7 (profile micro7): arquillian-payara-micro-managed starts one Micro JVM per deployment
 * ({@code java -jar payara-micro.jar --deploy <archive>}, options in arquillian.xml) and stops that JVM on
 * undeploy, so every deployment boots a fresh server. Micro takes no EAR, has no admin interface and no
 * password alias; therefore:
 *
 * <ul>
 * <li>The EAR a test builds is deployed as its WAR with the EJB module in WEB-INF/lib (its descriptors
 *     moved to WEB-INF, where a WAR's EJB descriptors count), and the EAR's RAR is deployed on its own at
 *     boot by the post-boot command file {@link #deployable} writes. That file also creates the connector
 *     pool and resource and the system property {@code usmp.keystore}: the commands README.md gives for Micro.</li>
 * <li>MDBs bind to that standalone adapter by its name, {@value #ADAPTER}; {@code keyStorePath} is
 *     {@code ${usmp.keystore}}, the keystore password a file only this user can read.</li>
 * <li>Micro reports its data grid's host name as its host (by default the machine's first non-loopback
 *     address, with the grid on 127.0.0.1 "localhost", which may resolve to ::1), while its HTTP listener is
 *     bound to 127.0.0.1 (micro-preboot.asadmin): the client goes to 127.0.0.1.</li>
 * <li>Threads are read with jcmd from the Micro JVM (a child of the test JVM); the log is the file
 *     {@code --logtofile} names, appended to by every boot.</li>
 * </ul>
 */
final class MicroServer extends Server {
    static final String ADAPTER = "usmp-ra";
    static final String FACTORY_JNDI = "usmp/ConnectionFactory";
    private static final String SAMPLE_PASSWORD_PROPERTY = "usmp.keystore.password";
    /** Set by the micro7 profile; arquillian.xml points Micro's root directory, log and post-boot file here. */
    private static final Path DIR = Path.of(System.getProperty("micro.dir", "target/micro")).toAbsolutePath();
    private static final Path PASSWORD_FILE = DIR.resolve("keystore.password");
    /** Micro's directory config source: one file per MicroProfile Config property, named by the property. */
    private static final Path SECRETS = DIR.resolve("secrets");
    private static final long STOP_TIMEOUT_SECONDS = 120;
    /** An EJB module's descriptors, which count in a WAR only under WEB-INF. */
    private static final List<String> DESCRIPTORS = List.of("ejb-jar.xml", "glassfish-ejb-jar.xml");

    /** The application the running Micro deployed from its WAR (what {@link #adminReadOfMdb} reads). */
    private String deployedApp;
    /** Whether the class deploying now is {@link SampleIT} ({@link Need#SAMPLE}). */
    private boolean sample;
    /** Post-boot commands creating the dial-out pools and resources of an EAR, by the EAR's name. */
    private final Map<String, List<String>> dialCommands = new HashMap<>();

    @Override
    String name() {
        return "Payara Micro 7";
    }

    @Override
    void prepare(List<Need> needs) throws IOException {
        // MDBS: nothing to do, like Payara Server.
        if (needs.contains(Need.KEYSTORE_PASSWORD)) {
            Files.createDirectories(DIR);
            Files.deleteIfExists(PASSWORD_FILE);
            Files.createFile(PASSWORD_FILE, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(PASSWORD_FILE, ItDevices.KEYSTORE_PASSWORD + "\n");
        }
        if (needs.contains(Need.SAMPLE)) {
            // No password alias on Micro: the sample's password comes from the directory config source instead.
            Files.createDirectories(SECRETS);
            Path password = SECRETS.resolve(SAMPLE_PASSWORD_PROPERTY);
            Files.deleteIfExists(password);
            Files.createFile(password, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(password, ItDevices.KEYSTORE_PASSWORD);
            sample = true;
        }
    }

    @Override
    void cleanUp(List<Need> needs) throws IOException {
        // The password file stays for the next class, like the other servers' secrets; the sample's goes.
        if (needs.contains(Need.SAMPLE)) {
            deleteTree(SECRETS);
            sample = false;
        }
    }

    @Override
    Map<String, String> keyStorePasswordActivation() {
        // No password alias on Micro (a boot command file cannot carry the alias password).
        return Map.of("keyStorePasswordFile", PASSWORD_FILE.toString());
    }

    @Override
    boolean undeployStopsServer() {
        return true;
    }

    @Override
    int httpPort() {
        return Integer.getInteger("payara.httpPort", 28080);
    }

    @Override
    void describeEjbs(JavaArchive ejb, String ejbName, Adapter adapter, Map<String, String> activation, boolean downlink) {
        // The adapter is always the standalone one the post-boot file deploys (see deployable), wherever the test put it.
        Map<String, String> micro = new LinkedHashMap<>(activation);
        micro.replace("keyStorePath", ItDevices.KEYSTORE.toString(), "${usmp.keystore}");
        PayaraServer.describe(ejb, ejbName, ADAPTER, micro, downlink ? FACTORY_JNDI : null);
    }

    @Override
    void addConnectionFactory(EnterpriseArchive ear, Adapter adapter) {
        // Created at boot by the post-boot file, for the standalone adapter.
    }

    /**
     * A pool and a resource per factory, created by the post-boot file after it deployed the adapter (the
     * application-scoped glassfish-resources.xml of Payara Server would be lost with the EAR).
     */
    @Override
    void addDialFactories(EnterpriseArchive ear, ResourceAdapterArchive rar, Adapter adapter, List<DialFactory> factories) {
        List<String> commands = new ArrayList<>();
        for (DialFactory f : factories) {
            String pool = "usmp-dial-" + f.name();
            StringBuilder properties = new StringBuilder();
            // asadmin separates properties with ':' (escaped as "\:" inside a value).
            f.properties().forEach((k, v) -> properties.append(properties.isEmpty() ? "" : ":").append(k).append('=')
                    .append(v.replace(":", "\\:")));
            commands.add("create-connector-connection-pool --raname " + ADAPTER
                    + " --connectiondefinition io.usmp.ra.api.UsmpDialConnectionFactory --transactionsupport LocalTransaction"
                    + " --steadypoolsize 0 --poolresize 1 --maxpoolsize " + f.maxPoolSize()
                    + " --isconnectvalidatereq " + f.validateOnMatch() + " --property " + properties + " " + pool);
            commands.add("create-connector-resource --poolname " + pool + " " + dialFactoryJndi(f.name()));
        }
        dialCommands.put(ear.getName(), commands);
    }

    @Override
    String dialFactoryJndi(String name) {
        return "usmp/it/dial/" + name;
    }

    /**
     * An EAR becomes its WAR with the EJB modules inside, and its RAR is written for the post-boot file to
     * deploy; any other archive is deployed as it is (with no adapter at boot).
     */
    @Override
    Archive<?> deployable(Archive<?> archive) throws Exception {
        // A Micro left running by a class whose deployment failed half-way would hold the ports of this boot.
        Optional<ProcessHandle> left = micro();
        if (left.isPresent()) {
            left.get().destroy();
            left.get().onExit().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        Files.createDirectories(DIR.resolve("logs"));
        deleteTree(DIR.resolve("root")); // --rootdir: a fresh server per boot, as on the other servers' runs
        List<String> commands = new ArrayList<>();
        Archive<?> deployable = archive;
        if (archive.getName().endsWith(".ear")) {
            EnterpriseArchive ear = archive.as(EnterpriseArchive.class);
            ResourceAdapterArchive rar = only(ear.getAsType(ResourceAdapterArchive.class, Filters.include("/[^/]+\\.rar")), ear, "RAR");
            WebArchive web = only(ear.getAsType(WebArchive.class, Filters.include("/[^/]+\\.war")), ear, "WAR");
            WebArchive war = ShrinkWrap.create(WebArchive.class, moduleName(web)).merge(web);
            for (JavaArchive ejb : ear.getAsType(JavaArchive.class, Filters.include("/[^/]+\\.jar"))) {
                for (String descriptor : DESCRIPTORS) {
                    Node node = ejb.get("META-INF/" + descriptor);
                    if (node != null) {
                        if (war.contains("WEB-INF/" + descriptor)) {
                            throw new IllegalStateException("two EJB modules with " + descriptor + " in " + ear.getName());
                        }
                        war.addAsWebInfResource(node.getAsset(), descriptor);
                    }
                }
                // A copy: the EAR stays as it is for the next deploy of the same deployment (redeploy tests).
                war.addAsLibrary(ShrinkWrap.create(JavaArchive.class, moduleName(ejb))
                        .merge(ejb, Filters.exclude("/META-INF/(glassfish-)?ejb-jar\\.xml")));
            }
            Path rarFile = DIR.resolve(ADAPTER + ".rar");
            rar.as(ZipExporter.class).exportTo(rarFile.toFile(), true);
            if (sample) {
                adaptSample(war, commands);
            }
            commands.add("create-system-properties usmp.keystore=" + ItDevices.KEYSTORE);
            commands.add("deploy --name " + ADAPTER + " " + rarFile);
            commands.add("create-connector-connection-pool --raname " + ADAPTER
                    + " --connectiondefinition io.usmp.ra.api.UsmpConnectionFactory --transactionsupport LocalTransaction"
                    + " --steadypoolsize 0 --maxpoolsize 20 usmp-pool");
            commands.add("create-connector-resource --poolname usmp-pool " + FACTORY_JNDI);
            commands.addAll(dialCommands.getOrDefault(ear.getName(), List.of()));
            deployable = war;
        }
        Files.write(DIR.resolve("postboot.asadmin"), commands, StandardCharsets.UTF_8);
        String name = deployable.getName();
        deployedApp = name.substring(0, name.lastIndexOf('.'));
        return deployable;
    }

    /**
     * What "Deploying the sample" says for Payara, done the Micro way: the sample's factory reference names the
     * post-boot connector resource (its EAR's application-scoped one is gone with the EAR), the password alias
     * becomes a property of the directory config source, and the default H2 pool is XA.
     */
    private static void adaptSample(WebArchive war, List<String> commands) {
        replace(war, "WEB-INF/glassfish-web.xml", "java:app/" + FACTORY_JNDI, FACTORY_JNDI);
        replace(war, "WEB-INF/glassfish-ejb-jar.xml", "${ALIAS=usmp-keystore}", "${MPCONFIG=" + SAMPLE_PASSWORD_PROPERTY + "}");
        commands.add("create-system-properties usmp.port=" + SampleIT.PORT);
        commands.add("set-config-dir --directory=" + SECRETS);
        commands.add("set resources.jdbc-connection-pool.H2Pool.res-type=javax.sql.XADataSource");
    }

    private static void replace(WebArchive war, String path, String from, String to) {
        Node node = war.get(path);
        if (node == null) {
            throw new IllegalStateException(war.getName() + " has no " + path);
        }
        String text;
        try (InputStream in = node.getAsset().openStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!text.contains(from)) {
            throw new IllegalStateException(path + " of " + war.getName() + " does not contain " + from);
        }
        war.delete(path);
        war.add(new StringAsset(text.replace(from, to)), path);
    }

    /**
     * A module's own file name: a module of an EAR read from a file is named by its path ("/x.war"), and the
     * container writes the archive to its directory's {@code resolve(name)}, which for "/x.war" is the root.
     */
    private static String moduleName(Archive<?> module) {
        return module.getName().substring(module.getName().lastIndexOf('/') + 1);
    }

    private static <T extends Archive<T>> T only(Collection<T> found, EnterpriseArchive ear, String what) {
        if (found.size() != 1) {
            throw new IllegalStateException(ear.getName() + " has " + found.size() + " " + what + " modules, Micro needs one");
        }
        return found.iterator().next();
    }

    @Override
    HTTPContext reachable(HTTPContext context) {
        if (context.getHost().equals("127.0.0.1")) {
            return context;
        }
        HTTPContext loopback = new HTTPContext(context.getName(), "127.0.0.1", context.getPort());
        for (Servlet servlet : context.getServlets()) {
            loopback.add(new Servlet(servlet.getName(), servlet.getContextRoot()));
        }
        return loopback;
    }

    /** The container only signals the Micro JVM to stop: wait until it has, so the next boot finds its ports free. */
    @Override
    void undeployed() throws Exception {
        Optional<ProcessHandle> micro = micro();
        if (micro.isPresent()) {
            micro.get().onExit().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        deployedApp = null;
    }

    /** The running Micro JVM: the test JVM's child that runs payara-micro.jar. */
    private static Optional<ProcessHandle> micro() {
        return ProcessHandle.current().children()
                .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains("payara-micro"))
                .findFirst();
    }

    /**
     * Micro has no admin interface: what an administrator can read is the deployment as Micro unpacked it
     * in its root directory, the descriptors that configure the MDB.
     */
    @Override
    String adminReadOfMdb(String app, String ejbModule, String ejbName) throws Exception {
        if (deployedApp == null) {
            throw new IllegalStateException("nothing deployed");
        }
        Path webInf = DIR.resolve("root").resolve("applications").resolve(deployedApp).resolve("WEB-INF");
        return Files.readString(webInf.resolve("ejb-jar.xml")) + "\n" + Files.readString(webInf.resolve("glassfish-ejb-jar.xml"));
    }

    /**
     * Threads of the running Micro JVM from jcmd Thread.print (one block per thread, frames as "at class.method").
     * With no Micro running there is no thread: undeploy stops the JVM, and {@link #undeployed} waits until it has.
     */
    @Override
    long threadsRunning(String... prefixes) throws Exception {
        Optional<ProcessHandle> micro = micro();
        if (micro.isEmpty()) {
            return 0;
        }
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(micro.get().pid()), "Thread.print").redirectErrorStream(true).start();
        String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IllegalStateException("jcmd Thread.print failed: " + dump);
        }
        return countThreads(dump.split("\n\\s*\n"), "\"", "at ", prefixes);
    }

    @Override
    List<Path> serverLogs() throws IOException {
        try (Stream<Path> files = Files.list(DIR.resolve("logs"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("server.log")).sorted().toList();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
