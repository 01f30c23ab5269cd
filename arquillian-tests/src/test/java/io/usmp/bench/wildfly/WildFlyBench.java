package io.usmp.bench.wildfly;

import io.usmp.protocol.PskKeyStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.jboss.as.controller.client.ModelControllerClient;
import org.jboss.as.controller.client.helpers.Operations;
import org.jboss.dmr.ModelNode;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.wildfly.plugin.tools.Deployment;
import org.wildfly.plugin.tools.DeploymentManager;
import org.wildfly.plugin.tools.UndeployDescription;
import org.wildfly.plugin.tools.server.ServerManager;

/**
 * Device → MDB on WildFly 39 with the RAR, beside MQTT (Paho) → Apache Artemis → JMS MDB on the same
 * WildFly, in one run; prints markdown tables (and writes them to {@code <out>/tables.md}).
 * bench/wildfly.sh builds, provisions and runs it under the shared lock.
 *
 * <p>WildFly runs standalone-full.xml on a private base directory with port offset {@value #OFFSET}
 * (HTTP 8580, management 10490), pooled MDBs (default-mdb-instance-pool, then :reload), the RAR
 * deployed as usmp-ra.rar and one WAR with four MDBs: USMP transacted (port {@value #PORT_TX}) and
 * not ({@value #PORT_NT}); JMS transacted and not, bound to a pooled connection factory to the
 * remote Artemis (CORE on 127.0.0.1:{@value #ARTEMIS_CORE}, MQTT on {@value #ARTEMIS_MQTT}). CPU figures are
 * each server process's own CPU time (/proc through ProcessHandle) over the measured window. Each row: the
 * saturating one-way and round-trip rates, then round trips paced at ½ of each and at ⅒ of the one-way
 * rate (see {@link #measure}); a row of a partial fleet, of an empty window or with a loss stops the run.
 *
 * <p>Arguments: the parts to run, any of {@code usmp mqtt storm boot} (default all). System properties:
 * jboss.home, artemis.home, bench.rar, bench.out (required, set by the script); bench.devices
 * (USMP fleet sizes, default 100,1000), bench.mqtt.devices (default 100), bench.warmup and
 * bench.measure (seconds per measurement, default 4 and 8), bench.storm.rounds and bench.boot.rounds
 * (storms after a redeploy and after a restart of WildFly, one row each, default 1), bench.boot.afterBoot
 * (restart storms once WildFly reports it has booted), bench.jfr (default true: a JFR profile of WildFly
 * in bench.out), bench.asprof (path of async-profiler's libasyncProfiler.so: WildFly is sampled every 200 µs of CPU (perf events) in each
 * saturating window and storm, collapsed stacks written to bench.out/profile-*.collapsed; JFR's
 * 10-20 ms sampling caught too few samples of a 1 s storm).
 * Environment: BENCH_WILDFLY_JVM, extra JVM options for WildFly (e.g. another garbage collector).
 */
public final class WildFlyBench {
    static final int OFFSET = 500;
    static final int HTTP = 8080 + OFFSET;
    static final int MANAGEMENT = 9990 + OFFSET;
    static final int PORT_TX = 17480;
    static final int PORT_NT = 17481;
    static final int ARTEMIS_CORE = 61630;
    static final int ARTEMIS_MQTT = 18830;
    static final int STORM = 1000;
    private static final String WAR = "usmp-bench.war";
    private static final char[] PASSWORD = "bench-keystore-password".toCharArray();

    private final Path jbossHome = Path.of(System.getProperty("jboss.home"));
    private final Path artemisHome = Path.of(System.getProperty("artemis.home"));
    private final Path rar = Path.of(System.getProperty("bench.rar"));
    private final Path out = Path.of(System.getProperty("bench.out"));
    private final int[] usmpDevices = ints(System.getProperty("bench.devices", "100,1000"));
    private final int[] mqttDevices = ints(System.getProperty("bench.mqtt.devices", "100"));
    private final long warmupNanos = (long) (Double.parseDouble(System.getProperty("bench.warmup", "4")) * 1e9);
    private final long measureNanos = (long) (Double.parseDouble(System.getProperty("bench.measure", "8")) * 1e9);
    private final boolean jfr = Boolean.parseBoolean(System.getProperty("bench.jfr", "true"));
    private final String asprof = System.getProperty("bench.asprof", "");
    private final Set<String> parts;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Result> results = new ArrayList<>();
    private PrintStream tables;
    private Path work;
    private Process wildfly;
    private Process artemis;
    private long wildflyPid;
    private long artemisPid;
    private ModelControllerClient client;
    private ServerManager server;
    private boolean stopped;

    /** The MDB stream's delivered count, refreshed by the poller while a measurement runs. */
    private volatile long delivered;
    private volatile boolean polling;
    private final Rtts rtts = new Rtts();

    private WildFlyBench(Set<String> parts) {
        this.parts = parts;
    }

    public static void main(String[] args) throws Exception {
        Set<String> parts = args.length == 0 ? Set.of("usmp", "mqtt", "storm", "boot") : Set.of(args);
        WildFlyBench bench = new WildFlyBench(parts);
        // Interrupted (Ctrl-C, a timeout): WildFly and Artemis are stopped all the same.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                bench.stop();
            } catch (Exception e) {
                System.err.println("stopping the servers failed: " + e);
            }
        }));
        int status = 0;
        try {
            bench.run();
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status); // the management client's and Paho's threads must not keep the driver alive
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
    }

    // ------------------------------------------------------------------ run

    private void run() throws Exception {
        Files.createDirectories(out);
        tables = new PrintStream(Files.newOutputStream(out.resolve("tables.md")), true, StandardCharsets.UTF_8);
        work = Files.createTempDirectory("usmp-wildfly-bench");
        try {
            int fleet = Math.max(STORM, Arrays.stream(usmpDevices).max().orElse(0));
            writeKeyStore(fleet);
            if (parts.contains("mqtt")) {
                startArtemis();
            }
            startWildFly();
            configure();
            DeploymentManager deployments = DeploymentManager.create(client);
            deployments.deploy(Deployment.of(rar).setName("usmp-ra.rar")).assertSuccess();
            deployments.deploy(Deployment.of(war().as(ZipExporter.class).exportAsInputStream(), WAR)).assertSuccess();
            print("WildFly pid %d (standalone-full.xml, pooled MDBs), %s; driver in this JVM; %d cores shared with other work (load average %s)",
                    wildflyPid, jfr ? "JFR profile on" : "no profiler", Runtime.getRuntime().availableProcessors(), loadAverage());
            if (parts.contains("usmp")) {
                usmp();
            }
            if (parts.contains("mqtt")) {
                mqtt();
            }
            summary();
            if (parts.contains("storm")) {
                storm(deployments);
            }
            if (parts.contains("boot")) {
                bootStorm();
            }
            print("load average at the end: %s", loadAverage());
        } finally {
            stop();
        }
    }


    private void writeKeyStore(int devices) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, PASSWORD);
        PskKeyStore psks = PskKeyStore.open(store, PASSWORD);
        for (int i = 0; i < devices; i++) {
            psks.put(UsmpFleet.device(i), UsmpFleet.psk(i));
        }
        try (OutputStream o = Files.newOutputStream(work.resolve("devices.p12"))) {
            store.store(o, PASSWORD);
        }
        Path pw = work.resolve("keystore.password");
        Files.writeString(pw, new String(PASSWORD));
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
    }

    /** The four MDBs, the stats servlet and the descriptors that bind and configure the MDBs. */
    private WebArchive war() {
        WebArchive war = ShrinkWrap.create(WebArchive.class, WAR)
                .addClasses(Probe.class, StatsServlet.class, UsmpCountingMdb.class, UsmpTxMdb.class, UsmpNoTxMdb.class);
        StringBuilder beans = new StringBuilder();
        StringBuilder bindings = new StringBuilder();
        for (String[] mdb : new String[][] {{"UsmpTxMdb", String.valueOf(PORT_TX)}, {"UsmpNoTxMdb", String.valueOf(PORT_NT)}}) {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("bindAddress", "127.0.0.1");
            a.put("port", mdb[1]);
            a.put("keyStorePath", work.resolve("devices.p12").toString());
            a.put("keyStorePasswordFile", work.resolve("keystore.password").toString());
            a.put("maxConnections", "5000");
            a.put("lockoutThreshold", "0");
            a.put("sessionTimeoutMillis", "600000");
            a.put("deadLetterDirectory", work.resolve("dead-letters").toString());
            beans.append(bean(mdb[0], a));
            bindings.append(binding(mdb[0], "usmp-ra.rar"));
        }
        if (parts.contains("mqtt")) {
            war.addClasses(JmsCountingMdb.class, JmsTxMdb.class, JmsNoTxMdb.class);
            for (String[] mdb : new String[][] {{"JmsTxMdb", "benchtx"}, {"JmsNoTxMdb", "benchnt"}}) {
                Map<String, String> a = new LinkedHashMap<>();
                a.put("destinationType", "jakarta.jms.Queue");
                a.put("destination", mdb[1] + "::" + mdb[1]); // the multicast queue the MQTT topic feeds
                a.put("useJNDI", "false");
                beans.append(bean(mdb[0], a));
                bindings.append(binding(mdb[0], "bench-artemis"));
            }
        }
        war.addAsWebInfResource(new StringAsset("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<jboss:ejb-jar xmlns:jboss=\"http://www.jboss.com/xml/ns/javaee\" xmlns=\"http://java.sun.com/xml/ns/javaee\""
                + " xmlns:r=\"urn:resource-adapter-binding\" version=\"3.1\" impl-version=\"2.0\">\n"
                + "<enterprise-beans>\n" + beans + "</enterprise-beans>\n"
                + "<assembly-descriptor>\n" + bindings + "</assembly-descriptor>\n"
                + "</jboss:ejb-jar>\n"), "jboss-ejb3.xml");
        war.addAsWebInfResource(new StringAsset("<jboss-deployment-structure><deployment><dependencies>"
                + "<module name=\"deployment.usmp-ra.rar\"/></dependencies></deployment></jboss-deployment-structure>"),
                "jboss-deployment-structure.xml");
        return war;
    }

    private static String bean(String name, Map<String, String> activation) {
        StringBuilder s = new StringBuilder("<message-driven><ejb-name>").append(name).append("</ejb-name><activation-config>\n");
        activation.forEach((k, v) -> s.append("<activation-config-property><activation-config-property-name>").append(k)
                .append("</activation-config-property-name><activation-config-property-value>").append(v)
                .append("</activation-config-property-value></activation-config-property>\n"));
        return s.append("</activation-config></message-driven>\n").toString();
    }

    private static String binding(String ejb, String adapter) {
        return "<r:resource-adapter-binding><ejb-name>" + ejb + "</ejb-name><r:resource-adapter-name>" + adapter
                + "</r:resource-adapter-name></r:resource-adapter-binding>\n";
    }

    // ------------------------------------------------------------------ servers

    private void startWildFly() throws Exception {
        Path base = work.resolve("wildfly");
        copyTree(jbossHome.resolve("standalone").resolve("configuration"), base.resolve("configuration"));
        Files.createDirectories(base.resolve("deployments"));
        ProcessBuilder pb = new ProcessBuilder(jbossHome.resolve("bin").resolve("standalone.sh").toString(),
                "-c", "standalone-full.xml", "-Djboss.server.base.dir=" + base,
                "-Djboss.socket.binding.port-offset=" + OFFSET, "-b", "127.0.0.1", "-bmanagement", "127.0.0.1",
                "-Djboss.bind.address.private=127.0.0.1", "-Djboss.tx.node.id=usmp-bench");
        String opts = "-Xms1g -Xmx1g -XX:MetaspaceSize=96m -XX:MaxMetaspaceSize=512m -Djava.net.preferIPv4Stack=true -Djava.awt.headless=true";
        opts += " " + System.getenv().getOrDefault("BENCH_WILDFLY_JVM", "");
        if (jfr) {
            opts += " -XX:StartFlightRecording=filename=" + out.resolve("wildfly.jfr") + ",settings=profile,dumponexit=true";
        }
        pb.environment().put("JAVA_OPTS", opts);
        pb.redirectErrorStream(true).redirectOutput(out.resolve("wildfly.out").toFile());
        wildfly = pb.start();
        client = ModelControllerClient.Factory.create("remote+http", "127.0.0.1", MANAGEMENT);
        server = ServerManager.builder().client(client).standalone();
        if (!server.waitFor(240, TimeUnit.SECONDS)) {
            throw new IllegalStateException("WildFly did not start within 240 s; see " + out.resolve("wildfly.out"));
        }
        wildflyPid = javaPid(wildfly);
    }

    /** Pooled MDBs (then :reload, which WildFly does not ask for) and the factory to the remote Artemis. */
    private void configure() throws Exception {
        execute(Operations.createWriteAttributeOperation(Operations.createAddress("subsystem", "ejb3"),
                "default-mdb-instance-pool", "mdb-strict-max-pool"));
        if (parts.contains("mqtt")) {
            ModelNode binding = Operations.createAddOperation(Operations.createAddress("socket-binding-group", "standard-sockets",
                    "remote-destination-outbound-socket-binding", "bench-artemis"));
            binding.get("host").set("127.0.0.1");
            binding.get("port").set(ARTEMIS_CORE);
            execute(binding);
            ModelNode connector = Operations.createAddOperation(Operations.createAddress("subsystem", "messaging-activemq",
                    "remote-connector", "bench-artemis"));
            connector.get("socket-binding").set("bench-artemis");
            execute(connector);
            ModelNode factory = Operations.createAddOperation(Operations.createAddress("subsystem", "messaging-activemq",
                    "pooled-connection-factory", "bench-artemis"));
            factory.get("connectors").add("bench-artemis");
            factory.get("entries").add(JmsCountingMdb.FACTORY);
            factory.get("transaction").set("xa");
            factory.get("enable-amq1-prefix").set(false); // topic benchreply<n> is the address the MQTT client subscribed to
            execute(factory);
        }
        server.executeReload();
        if (!server.waitFor(240, TimeUnit.SECONDS)) {
            throw new IllegalStateException("WildFly did not come back from :reload within 240 s");
        }
    }

    private ModelNode execute(ModelNode op) throws IOException {
        ModelNode result = client.execute(op);
        if (!Operations.isSuccessfulOutcome(result)) {
            throw new IllegalStateException(op.get("operation") + " " + op.get("address") + ": "
                    + Operations.getFailureDescription(result).asString());
        }
        return Operations.readResult(result);
    }

    private void startArtemis() throws Exception {
        Path instance = work.resolve("artemis");
        String artemisCmd = artemisHome.resolve("bin").resolve("artemis").toString();
        Process create = new ProcessBuilder(artemisCmd, "create", instance.toString(), "--silent", "--user", "bench",
                "--password", "bench", "--allow-anonymous", "--host", "127.0.0.1", "--no-web", "--no-amqp-acceptor",
                "--no-hornetq-acceptor", "--no-stomp-acceptor", "--default-port", String.valueOf(ARTEMIS_CORE))
                .redirectErrorStream(true).redirectOutput(out.resolve("artemis-create.out").toFile()).start();
        if (!create.waitFor(300, TimeUnit.SECONDS) || create.exitValue() != 0) {
            throw new IllegalStateException("artemis create failed; see " + out.resolve("artemis-create.out"));
        }
        Path brokerXml = instance.resolve("etc").resolve("broker.xml");
        String xml = Files.readString(brokerXml).replace("0.0.0.0:1883?", "127.0.0.1:" + ARTEMIS_MQTT + "?")
                .replace("127.0.0.1:1883?", "127.0.0.1:" + ARTEMIS_MQTT + "?");
        // The telemetry topics the JMS MDBs consume: MQTT publishes are multicast, so each address gets one
        // durable multicast queue, read by its MDB through its fully qualified name.
        StringBuilder addresses = new StringBuilder("<addresses>\n");
        for (String a : new String[] {"benchtx", "benchnt"}) {
            addresses.append("<address name=\"").append(a).append("\"><multicast><queue name=\"").append(a)
                    .append("\"/></multicast></address>\n");
        }
        xml = xml.replace("<addresses>", addresses.toString());
        if (!xml.contains(":" + ARTEMIS_MQTT + "?") || !xml.contains("<queue name=\"benchtx\"/>")) {
            throw new IllegalStateException("unexpected broker.xml layout in " + brokerXml);
        }
        Files.writeString(brokerXml, xml);
        artemis = new ProcessBuilder(instance.resolve("bin").resolve("artemis").toString(), "run")
                .redirectErrorStream(true).redirectOutput(out.resolve("artemis.out").toFile()).start();
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (!listening(ARTEMIS_MQTT) || !listening(ARTEMIS_CORE)) {
            if (System.nanoTime() > deadline || !artemis.isAlive()) {
                throw new IllegalStateException("Artemis did not start; see " + out.resolve("artemis.out"));
            }
            Thread.sleep(500);
        }
        artemisPid = javaPid(artemis);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The JVM the start script launched (standalone.sh forks it; artemis execs it). */
    private static long javaPid(Process script) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            var java = Stream.concat(Stream.of(script.toHandle()), script.toHandle().descendants())
                    .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).findFirst();
            if (java.isPresent()) {
                return java.get().pid();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no java process under " + script.pid());
    }

    /** Starts async-profiler in WildFly (window null), or stops it and writes the window's stacks; bench.asprof set only. */
    private void profile(String window) throws Exception {
        if (asprof.isEmpty()) {
            return;
        }
        String options = window == null ? "start,event=cpu,interval=200us"
                : "stop,collapsed,ann,file=" + out.resolve("profile-" + window.replaceAll("[^A-Za-z0-9]+", "-") + ".collapsed");
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(String.valueOf(wildflyPid));
        try {
            vm.loadAgentPath(asprof, options);
        } finally {
            vm.detach();
        }
    }

    private static long cpuNanos(long pid) {
        return pid == 0 ? 0 : ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).orElseThrow().toNanos();
    }

    /** Stops both servers and deletes the work directory; once (the shutdown hook calls it again). */
    private synchronized void stop() throws Exception {
        if (stopped) {
            return;
        }
        stopped = true;
        if (client != null) {
            try {
                server.shutdown(); // graceful: JFR writes its recording on exit
            } catch (RuntimeException | IOException e) {
                System.err.println("shutdown failed: " + e);
            }
        }
        stopProcess(wildfly, wildflyPid);
        stopProcess(artemis, artemisPid);
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** TERM to the JVM and its start script, KILL after 60 s (the JVM is not always the script's child by then). */
    private static void stopProcess(Process script, long javaPid) throws InterruptedException {
        if (script == null) {
            return;
        }
        Optional<ProcessHandle> java = javaPid == 0 ? Optional.empty() : ProcessHandle.of(javaPid);
        java.ifPresent(ProcessHandle::destroy);
        script.destroy();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (java.map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        java.ifPresent(ProcessHandle::destroyForcibly);
        if (!script.waitFor(10, TimeUnit.SECONDS)) {
            script.destroyForcibly();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static String loadAverage() {
        try {
            String[] l = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return l[0] + " " + l[1] + " " + l[2];
        } catch (IOException e) {
            return "?";
        }
    }

    // ------------------------------------------------------------------ MDB statistics

    /** {@code [messages, outOfOrder]} of one MDB stream. */
    private long[] stats(String stream) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP + "/usmp-bench/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().split("\n")) {
            String[] f = line.split(" ");
            if (f[0].equals(stream)) {
                return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
            }
        }
        return new long[] {0, 0};
    }

    private void resetStats() throws IOException, InterruptedException {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP + "/usmp-bench/stats"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    private Thread poller(String stream) {
        polling = true;
        delivered = 0;
        Thread t = new Thread(() -> {
            while (polling) {
                try {
                    delivered = stats(stream)[0];
                    Thread.sleep(20);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }, "stats-poller");
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ------------------------------------------------------------------ measurements

    /** A connected fleet of simulated devices, as the measurements see it. */
    interface Fleet extends AutoCloseable {
        /** Restarts every device's sequence numbers and reply count (the MDB's order check starts over too). */
        void resetSequences();

        /** Throws unless every device of the fleet is connected: no row is measured on part of a fleet. */
        void checkConnected();
    }

    /**
     * How a load sends. {@code rate} 0 saturates: one way ({@code replies} false, at most {@code cap}
     * messages the MDB has not consumed yet) or round trip (every message answered, at most
     * {@value #RT_WINDOW} unanswered per device). A positive {@code rate} paces, every message answered,
     * at most {@code cap} unanswered: a path that cannot keep up skips sends rather than queue without bound.
     */
    record Pace(double rate, boolean replies, long cap) {
    }

    /** Unanswered messages per device in the saturating round-trip measurement. */
    static final int RT_WINDOW = 4;

    /** One path's load: sends until {@code end} as {@code pace} says. */
    interface Load {
        void drive(long endNanos, Pace pace, AtomicLong sent) throws Exception;
    }

    /** Round-trip times of replies to messages sent at or after {@code from}. */
    static final class Rtts implements UsmpFleet.ReplySink {
        private long[] values = new long[1 << 16];
        private int count;
        private volatile long from = Long.MAX_VALUE;

        synchronized void start(long fromNanos) {
            count = 0;
            from = fromNanos;
        }

        /** Every reply since the last reset, measured or not: the paced senders' backlog is sent minus this. */
        final AtomicLong all = new AtomicLong();

        @Override
        public void reply(byte[] payload) {
            all.incrementAndGet();
            long sentAt = java.nio.ByteBuffer.wrap(payload).getLong(12);
            long rtt = System.nanoTime() - sentAt;
            if (sentAt >= from) {
                synchronized (this) {
                    if (count == values.length) {
                        values = Arrays.copyOf(values, count * 2);
                    }
                    values[count++] = rtt;
                }
            }
        }

        synchronized long[] sorted() {
            long[] s = Arrays.copyOf(values, count);
            Arrays.sort(s);
            return s;
        }
    }

    /** One row of the side-by-side table. */
    record Result(String path, int devices, String mode, Saturation oneWay, Saturation roundTrip, Latency halfRoundTrip,
            Latency halfOneWay, Latency tenth) {
        long sent() {
            return oneWay.sent + roundTrip.sent;
        }

        long outOfOrder() {
            return oneWay.outOfOrder + roundTrip.outOfOrder + halfRoundTrip.outOfOrder + halfOneWay.outOfOrder + tenth.outOfOrder;
        }
    }

    /** A saturating measurement: messages (one way) or replies (round trip) per second over the window. */
    record Saturation(double rate, double wildflyUs, double artemisUs, long sent, long outOfOrder) {
    }

    /** Round trips of one paced run: replies received of those expected, percentiles in ms. */
    record Latency(double rate, long replies, long expected, double p50, double p99, double max, long outOfOrder) {
    }

    /**
     * Saturating one-way and round-trip throughput, then round trips paced at half of each and at a tenth
     * of the one-way rate; one result row. Every part refuses (throws) rather than yield a row of a partial
     * fleet, of a window that delivered nothing, or with a message or reply lost.
     */
    private Result measure(String path, int devices, String mode, String stream, Load load, Fleet fleet) throws Exception {
        String row = path + ", " + devices + " devices, " + mode;
        long cap = Math.max(4096, devices * 32L);
        Saturation oneWay = saturate(row + ", one way", stream, load, fleet, new Pace(0, false, cap));
        Saturation roundTrip = saturate(row + ", round trip", stream, load, fleet, new Pace(0, true, cap));
        Latency halfRoundTrip = latency(row, stream, devices, load, fleet, roundTrip.rate / 2);
        Latency halfOneWay = latency(row, stream, devices, load, fleet, oneWay.rate / 2);
        Latency tenth = latency(row, stream, devices, load, fleet, oneWay.rate / 10);
        Result r = new Result(path, devices, mode, oneWay, roundTrip, halfRoundTrip, halfOneWay, tenth);
        results.add(r);
        print("%s: %.0f msgs/s one way, WildFly %.1f µs/msg%s, sent %d, lost 0, out of order %d; round trip %.0f msgs/s"
                + " (WildFly %.1f µs per round trip); RTT at ½ round-trip rate %.0f/s: %d/%d replies, p50 %.2f ms p99 %.2f ms max %.1f ms;"
                + " at ½ one-way rate %.0f/s: %d/%d replies, p50 %.2f ms p99 %.2f ms; at ⅒ one-way rate %.0f/s: p50 %.2f ms"
                + " p99 %.2f ms (load %s)", row, oneWay.rate, oneWay.wildflyUs, artemisPid == 0 ? ""
                        : String.format(Locale.ROOT, ", Artemis %.1f µs/msg", oneWay.artemisUs), oneWay.sent, r.outOfOrder(),
                roundTrip.rate, roundTrip.wildflyUs, halfRoundTrip.rate, halfRoundTrip.replies, halfRoundTrip.expected,
                halfRoundTrip.p50, halfRoundTrip.p99, halfRoundTrip.max, halfOneWay.rate, halfOneWay.replies, halfOneWay.expected,
                halfOneWay.p50, halfOneWay.p99, tenth.rate, tenth.p50, tenth.p99, loadAverage());
        return r;
    }

    /** Saturating throughput of one pace (rate 0): MDB messages per second (one way) or replies per second (round trip). */
    private Saturation saturate(String what, String stream, Load load, Fleet fleet, Pace pace) throws Exception {
        fleet.checkConnected();
        resetStats();
        fleet.resetSequences();
        rtts.all.set(0);
        AtomicLong sent = new AtomicLong();
        Thread poll = poller(stream);
        long start = System.nanoTime();
        long end = start + warmupNanos + measureNanos;
        Background sender = new Background(() -> load.drive(end, pace, sent));
        sleepUntil(start + warmupNanos);
        profile(null); // before the window: attaching the agent costs WildFly CPU of its own
        long t0 = System.nanoTime();
        long d0 = pace.replies() ? rtts.all.get() : stats(stream)[0];
        long w0 = cpuNanos(wildflyPid);
        long a0 = cpuNanos(artemisPid);
        sleepUntil(end);
        long t1 = System.nanoTime();
        long d1 = pace.replies() ? rtts.all.get() : stats(stream)[0];
        long w1 = cpuNanos(wildflyPid);
        long a1 = cpuNanos(artemisPid);
        profile(what);
        try {
            sender.join();
        } finally {
            polling = false;
            poll.join();
        }
        long[] fin = drain(stream, sent.get());
        double n = d1 - d0;
        checkRow(what, fleet, n, sent.get(), fin[0], pace.replies() ? awaitReplies(sent.get()) : sent.get());
        return new Saturation(n / ((t1 - t0) / 1e9), (w1 - w0) / 1e3 / n, artemisPid == 0 ? 0 : (a1 - a0) / 1e3 / n, sent.get(),
                fin[1]);
    }

    private Latency latency(String row, String stream, int devices, Load load, Fleet fleet, double rate) throws Exception {
        fleet.checkConnected();
        resetStats();
        fleet.resetSequences();
        AtomicLong sent = new AtomicLong();
        rtts.all.set(0);
        long start = System.nanoTime();
        long end = start + warmupNanos / 2 + measureNanos;
        rtts.start(start + warmupNanos / 2);
        new Background(() -> load.drive(end, new Pace(rate, true, Math.max(256, devices * 4L)), sent)).join();
        long[] fin = drain(stream, sent.get());
        long replies = awaitReplies(sent.get());
        long[] s = rtts.sorted();
        rtts.start(Long.MAX_VALUE);
        checkRow(String.format(Locale.ROOT, "%s, round trips at %.0f msgs/s", row, rate), fleet, s.length, sent.get(), fin[0], replies);
        return new Latency(rate, s.length, (long) (rate * measureNanos / 1e9), pct(s, 0.50), pct(s, 0.99), s[s.length - 1] / 1e6,
                fin[1]);
    }

    /** Waits until every reply of {@code sent} messages came, as long as replies still come (at most 10 minutes); returns them. */
    private long awaitReplies(long sent) throws InterruptedException {
        long limit = System.nanoTime() + 600_000_000_000L;
        long last = rtts.all.get();
        long progress = System.nanoTime();
        while (rtts.all.get() < sent && System.nanoTime() < limit && System.nanoTime() - progress < 10_000_000_000L) {
            Thread.sleep(50);
            if (rtts.all.get() > last) {
                last = rtts.all.get();
                progress = System.nanoTime();
            }
        }
        return rtts.all.get();
    }

    /** Refuses (throws) a measurement whose fleet broke, whose window counted nothing, or that lost a message or reply. */
    private static void checkRow(String what, Fleet fleet, double measured, long sent, long consumed, long replies) {
        try {
            fleet.checkConnected();
        } catch (IllegalStateException e) {
            throw new IllegalStateException("refusing the row " + what + ": " + e.getMessage(), e);
        }
        String why = measured <= 0 ? "the measured window counted nothing"
                : consumed < sent ? String.format(Locale.ROOT, "%d of %d messages sent never reached the MDB", sent - consumed, sent)
                : replies < sent ? String.format(Locale.ROOT, "%d of %d replies never came back", sent - replies, sent) : null;
        if (why != null) {
            throw new IllegalStateException("refusing the row " + what + ": " + why);
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
    }

    /**
     * Waits until the MDB has seen everything sent, as long as its count still grows (a slow path's backlog
     * is not a loss; at most 10 minutes); returns its final {@code [messages, outOfOrder]}.
     */
    private long[] drain(String stream, long sent) throws Exception {
        long limit = System.nanoTime() + 600_000_000_000L;
        long[] s = stats(stream);
        long last = s[0];
        long progress = System.nanoTime();
        while (s[0] < sent && System.nanoTime() < limit && System.nanoTime() - progress < 30_000_000_000L) {
            Thread.sleep(100);
            s = stats(stream);
            if (s[0] > last) {
                last = s[0];
                progress = System.nanoTime();
            }
        }
        Thread.sleep(200); // nothing more arrives (a count above sent would be a duplicate)
        return stats(stream);
    }

    interface Task {
        void run() throws Exception;
    }

    /** A load thread; {@link #join} rethrows its failure, so a driver that died cannot leave a silent row. */
    private static final class Background {
        private final Thread thread;
        private volatile Exception failure;

        Background(Task task) {
            thread = new Thread(() -> {
                try {
                    task.run();
                } catch (Exception e) {
                    failure = e;
                }
            }, "load");
            thread.start();
        }

        void join() throws Exception {
            thread.join();
            if (failure != null) {
                throw new IllegalStateException("the load failed: " + failure, failure);
            }
        }
    }

    private static void sleepUntil(long nanos) {
        for (long left = nanos - System.nanoTime(); left > 0; left = nanos - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    // ------------------------------------------------------------------ USMP

    private void usmp() throws Exception {
        for (int devices : usmpDevices) {
            for (String[] v : new String[][] {{"transacted (REQUIRED)", "UsmpTxMdb", String.valueOf(PORT_TX)},
                    {"NOT_SUPPORTED", "UsmpNoTxMdb", String.valueOf(PORT_NT)}}) {
                try (UsmpFleet fleet = new UsmpFleet(devices, Integer.parseInt(v[2]))) {
                    if (fleet.firstAttemptFailed > 0) {
                        print("(%d of %d devices failed their first handshake, %d their second too)", fleet.firstAttemptFailed, devices,
                                fleet.failed);
                    }
                    measure("USMP", devices, v[0], v[1], (end, pace, sent) -> fleet.run((mine, sel) -> {
                        driveUsmp(mine, sel, end, pace, sent);
                    }), fleet);
                }
            }
        }
    }

    /** Saturating (a few messages per device per pass while the backlog or the device's window allows) or paced with replies. */
    private void driveUsmp(List<UsmpFleet.Dev> mine, java.nio.channels.Selector sel, long end, Pace pace, AtomicLong sent)
            throws IOException {
        int next = 0;
        long interval = pace.rate() > 0 ? (long) (1e9 / (pace.rate() / UsmpFleet.THREADS)) : 0;
        long due = System.nanoTime();
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
            if (pace.rate() <= 0) {
                boolean progress = false;
                for (int i = 0; i < mine.size() && (pace.replies() || sent.get() - delivered < pace.cap()); i++) {
                    UsmpFleet.Dev d = mine.get((next + i) % mine.size());
                    if (!d.blocked) {
                        int k = 0;
                        for (; k < 4 && (!pace.replies() || d.awaiting < RT_WINDOW); k++) {
                            d.sendNext(pace.replies());
                        }
                        if (k > 0) {
                            sent.addAndGet(k);
                            UsmpFleet.flushOrWait(d, sel);
                            progress = true;
                        }
                    }
                }
                next = (next + 1) % mine.size();
                UsmpFleet.serve(sel, progress ? 0 : 1, rtts);
            } else {
                for (; due <= now; due += interval) {
                    UsmpFleet.Dev d = mine.get(next++ % mine.size());
                    if (sent.get() - rtts.all.get() < pace.cap()) {
                        d.sendNext(true);
                        sent.incrementAndGet();
                        UsmpFleet.flushOrWait(d, sel);
                    }
                }
                UsmpFleet.serve(sel, Math.max(1, (due - now) / 1_000_000), rtts);
            }
        }
        // keep writing what is left and reading replies while the MDB catches up
        long until = System.nanoTime() + 12_000_000_000L;
        while (System.nanoTime() < until && (pace.replies() ? rtts.all.get() < sent.get() : delivered < sent.get())) {
            UsmpFleet.serve(sel, 10, rtts);
        }
    }

    // ------------------------------------------------------------------ MQTT

    private void mqtt() throws Exception {
        String uri = "tcp://127.0.0.1:" + ARTEMIS_MQTT;
        for (int devices : mqttDevices) {
            for (int qos : new int[] {1, 0}) {
                long connecting = System.nanoTime();
                try (MqttFleet fleet = new MqttFleet(devices, uri, qos, rtts)) {
                    print("(MQTT QoS %d: %d clients connected and subscribed in %.1f s)", qos, devices,
                            (System.nanoTime() - connecting) / 1e9);
                    for (String[] v : new String[][] {{"transacted (REQUIRED)", "JmsTxMdb", "benchtx"},
                            {"NOT_SUPPORTED", "JmsNoTxMdb", "benchnt"}}) {
                        measure("MQTT QoS " + qos + " → Artemis", devices, v[0], v[1],
                                (end, pace, sent) -> driveMqtt(fleet, v[2], qos, end, pace, sent), fleet);
                    }
                }
            }
        }
    }

    private void driveMqtt(MqttFleet fleet, String topic, int qos, long end, Pace pace, AtomicLong sent) throws Exception {
        List<MqttFleet.Client> clients = fleet.clients;
        clients.forEach(c -> c.waiter = Thread.currentThread());
        int next = 0;
        long interval = pace.rate() > 0 ? (long) (1e9 / pace.rate()) : 0;
        long due = System.nanoTime();
        for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
            if (pace.rate() <= 0) {
                boolean progress = false;
                for (int i = 0; i < clients.size() && (pace.replies() || sent.get() - delivered < pace.cap()); i++) {
                    MqttFleet.Client c = clients.get((next + i) % clients.size());
                    while (c.inFlight.get() < MqttFleet.WINDOW
                            && (pace.replies() ? c.awaiting.get() < RT_WINDOW : sent.get() - delivered < pace.cap())) {
                        c.publish(topic, qos, pace.replies());
                        sent.incrementAndGet();
                        progress = true;
                    }
                }
                next = (next + 1) % clients.size();
                if (!progress) {
                    LockSupport.parkNanos(200_000);
                }
            } else {
                for (; due <= now; due += interval) {
                    MqttFleet.Client c = clients.get(next++ % clients.size());
                    if (c.inFlight.get() < MqttFleet.WINDOW * 2 && sent.get() - rtts.all.get() < pace.cap()) {
                        c.publish(topic, qos, true);
                        sent.incrementAndGet();
                    }
                }
                LockSupport.parkNanos(Math.max(50_000, due - System.nanoTime()));
            }
        }
        clients.forEach(c -> c.waiter = null);
    }

    // ------------------------------------------------------------------ reconnect storm

    /**
     * The gateway restarts (the WAR is redeployed) and 1 000 devices connect at once; bench.storm.rounds
     * times (default 1), one row each, the fleet closed between rounds.
     */
    private void storm(DeploymentManager deployments) throws Exception {
        stormHeader("after a gateway restart (WAR redeployed; each device its own source address)");
        for (int round = 0, rounds = Integer.getInteger("bench.storm.rounds", 1); round < rounds; round++) {
            deployments.undeploy(UndeployDescription.of(WAR)).assertSuccess();
            deployments.deploy(Deployment.of(war().as(ZipExporter.class).exportAsInputStream(), WAR)).assertSuccess();
            stormRow("storm-" + (round + 1), "");
        }
    }

    /**
     * WildFly itself restarts ({@code :shutdown(restart=true)}; the RAR and the WAR stay deployed) and
     * 1 000 devices connect the moment the adapter's port accepts again, while WildFly still boots and
     * its JIT compiler is busiest; bench.boot.rounds times (default 1). Runs last: WildFly stays up
     * afterwards, but every earlier measurement assumed one warm process.
     */
    private void bootStorm() throws Exception {
        boolean afterBoot = Boolean.getBoolean("bench.boot.afterBoot");
        stormHeader((afterBoot ? "once WildFly reports it has booted" : "the moment the port opens")
                + " after WildFly restarts (`:shutdown(restart=true)`; each device its own source address)");
        // Real devices do not share the server's cores: one unreported storm first, so that the driver's
        // own handshake code is compiled before WildFly restarts.
        new UsmpFleet(STORM, PORT_TX).close();
        for (int round = 0, rounds = Integer.getInteger("bench.boot.rounds", 1); round < rounds; round++) {
            long old = wildflyPid;
            ModelNode restart = Operations.createOperation("shutdown");
            restart.get("restart").set(true);
            execute(restart);
            long deadline = System.nanoTime() + 240_000_000_000L;
            while (ProcessHandle.of(old).map(ProcessHandle::isAlive).orElse(false) || !listening(PORT_TX)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the adapter's port did not open within 240 s of the restart");
                }
                Thread.sleep(2);
            }
            wildflyPid = javaPid(wildfly);
            long open = System.nanoTime();
            if (afterBoot) {
                awaitBooted();
            }
            stormRow("boot-storm-" + (round + 1), String.format(Locale.ROOT, " (WildFly JVM %d; storm %.1f s after the port opened)",
                    wildflyPid, (System.nanoTime() - open) / 1e9));
            awaitBooted();
        }
    }

    private void awaitBooted() throws InterruptedException {
        if (!server.waitFor(240, TimeUnit.SECONDS)) {
            throw new IllegalStateException("WildFly did not finish booting within 240 s of the restart");
        }
    }

    private void stormHeader(String when) {
        print("");
        print("### %d devices connecting at once %s", STORM, when);
        print("");
        print("| devices | first handshake ok | failed (timed out) | handshake p50 | p99 | max | > 500 ms | WildFly CPU per handshake |");
        print("|---|---|---|---|---|---|---|---|");
    }

    /** One storm against the transacted MDB's port, profiled as {@code window} when bench.asprof is set. */
    private void stormRow(String window, String note) throws Exception {
        profile(null);
        long w0 = cpuNanos(wildflyPid);
        try (UsmpFleet fleet = new UsmpFleet(STORM, PORT_TX)) {
            long w1 = cpuNanos(wildflyPid);
            profile(window);
            long[] ok = Arrays.stream(fleet.handshakeNanos).filter(h -> h >= 0).sorted().toArray();
            long over = Arrays.stream(ok).filter(h -> h > 500_000_000L).count();
            print("| %d | %d | %d | %.0f ms | %.0f ms | %.0f ms | %d | %.0f µs%s |", STORM, ok.length, fleet.firstAttemptFailed,
                    pct(ok, 0.5), pct(ok, 0.99), ok.length == 0 ? Double.NaN : ok[ok.length - 1] / 1e6, over,
                    (w1 - w0) / 1e3 / Math.max(1, ok.length), note);
        }
    }

    // ------------------------------------------------------------------ tables

    private void summary() {
        if (results.isEmpty()) {
            return;
        }
        print("");
        print("### Device → MDB on WildFly 39: USMP adapter beside MQTT → Artemis 2.40 → JMS MDB (64-byte messages)");
        print("");
        print("One way: saturating, no replies. Round trip: saturating, every message answered by the MDB, at most %d unanswered"
                + " per device. RTT rows paced, every message answered: at ½ the round-trip rate (the load the path sustains"
                + " with replies), at ½ and ⅒ of the one-way rate (½ one-way exceeds what the path sustains with replies when"
                + " \"replies\" falls short of those asked).", RT_WINDOW);
        print("");
        print("| path | devices | MDB transaction | one way msgs/s | WildFly CPU / msg | Artemis CPU / msg | round trip msgs/s "
                + "| sent | lost | out of order | RTT at ½ round-trip rate: msgs/s | replies | p50 | p99 | max "
                + "| RTT at ½ one-way rate: msgs/s | replies | p50 | p99 | RTT at ⅒ one-way rate: p50 | p99 |");
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            Latency h = r.halfRoundTrip;
            print("| %s | %d | %s | %.0f | %.1f µs | %s | %.0f | %d | 0 | %d | %.0f | %d/%d | %.1f ms | %.1f ms | %.1f ms "
                    + "| %.0f | %d/%d | %.1f ms | %.1f ms | %.1f ms | %.1f ms |", r.path, r.devices, r.mode, r.oneWay.rate,
                    r.oneWay.wildflyUs, r.oneWay.artemisUs == 0 ? "-" : String.format(Locale.ROOT, "%.1f µs", r.oneWay.artemisUs),
                    r.roundTrip.rate, r.sent(), r.outOfOrder(), h.rate, h.replies, h.expected, h.p50, h.p99, h.max,
                    r.halfOneWay.rate, r.halfOneWay.replies, r.halfOneWay.expected, r.halfOneWay.p50, r.halfOneWay.p99,
                    r.tenth.p50, r.tenth.p99);
        }
        List<Result> usmp = results.stream().filter(r -> r.path.equals("USMP")).toList();
        List<Result> mqtt = results.stream().filter(r -> !r.path.equals("USMP")).toList();
        if (usmp.isEmpty() || mqtt.isEmpty()) {
            return;
        }
        print("");
        print("| USMP vs | devices (USMP / MQTT) | MDB transaction | one way msgs/s ratio | round trip msgs/s ratio "
                + "| RTT p99 ratio (MQTT / USMP) at ½ round-trip rate | at ½ one-way rate | at ⅒ one-way rate |");
        print("|---|---|---|---|---|---|---|---|");
        for (Result m : mqtt) {
            for (Result u : usmp) {
                if (u.mode.equals(m.mode)) {
                    print("| %s | %d / %d | %s | %.2f x | %.2f x | %.2f x | %.2f x | %.2f x |", m.path, u.devices, m.devices, m.mode,
                            u.oneWay.rate / m.oneWay.rate, u.roundTrip.rate / m.roundTrip.rate, m.halfRoundTrip.p99 / u.halfRoundTrip.p99,
                            m.halfOneWay.p99 / u.halfOneWay.p99, m.tenth.p99 / u.tenth.p99);
                }
            }
        }
    }

    private void print(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.println(line);
        tables.println(line);
    }
}
