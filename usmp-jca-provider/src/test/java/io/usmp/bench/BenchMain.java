package io.usmp.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of this package and prints each figure beside the bound measured in the
 * same run, as a ratio (figures from a shared machine are noisy; ratios much less so).
 * <pre>
 *   BenchMain full  [JMH options]   3 rounds (-Dbench.rounds) of 1 fork, 3 x 0.3 s warm-up, 6 x 0.2 s measurement
 *   BenchMain smoke [JMH options]   no fork, 1 x 50 ms + 1 x 50 ms: proves every benchmark runs
 *   BenchMain cpu   [rounds]        key figures in thread CPU time, figure and bound interleaved ({@link CpuBench})
 *   BenchMain load  [quick]         the loopback load harness against a gateway JVM ({@link LoadHarness})
 * </pre>
 * Run through Maven: {@code mvn -pl usmp-jca-provider -Pbench [-Dbench.mode=smoke|load] process-test-classes}.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "full";
        if (mode.equals("cpu")) {
            CpuBench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (mode.equals("load")) {
            LoadHarness.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        String[] jmhArgs = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[0];
        ChainedOptionsBuilder b = new OptionsBuilder().parent(new CommandLineOptions(jmhArgs)).shouldFailOnError(true);
        if (jmhArgs.length == 0 || Arrays.stream(jmhArgs).allMatch(a -> a.startsWith("-"))) {
            b.include(BenchMain.class.getPackageName() + ".*Bench.*");
        }
        int rounds = 1;
        switch (mode) {
            case "smoke" -> b.forks(0).warmupIterations(1).warmupTime(TimeValue.milliseconds(50))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(50));
            case "full" -> {
                // Several short rounds over all benchmarks rather than one long pass: on a shared
                // machine the load changes by the minute, and a figure and its bound, measured in
                // different forks, should see the same mix of quiet and busy moments.
                rounds = Integer.getInteger("bench.rounds", 3);
                b.forks(1).warmupIterations(3).warmupTime(TimeValue.milliseconds(300))
                        .measurementIterations(6).measurementTime(TimeValue.milliseconds(200))
                        .jvmArgsAppend("-Xms512m", "-Xmx512m");
            }
            default -> throw new IllegalArgumentException("mode is smoke, full or load, got " + mode);
        }
        List<RunResult> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            results.addAll(new Runner(b.build()).run());
        }
        if (results.isEmpty()) {
            throw new IllegalStateException("no benchmark ran");
        }
        print(results, System.out);
        if (mode.equals("smoke")) {
            System.out.println("bench smoke: " + results.size() + " passed, 0 failed");
        }
    }

    /** One measured figure: method name, size parameter (or ""), best iteration, median iteration, unit. */
    record Figure(String method, String size, double score, double error, String unit) {
        String key() {
            return size.isEmpty() ? method : method + "@" + size;
        }
    }

    /** A figure's bound: which benchmark(s) and a multiplier (a server handshake has one key pair and one agreement). */
    record Bound(String label, List<String> methods, double factor) {
    }

    static final Map<String, Bound> BOUNDS = new LinkedHashMap<>();

    static {
        BOUNDS.put("crc16", new Bound("CRC32 intrinsic, same bytes (reference)", List.of("boundCrc32"), 1));
        BOUNDS.put("frameEncode", new Bound("copy of the frame", List.of("boundCopy"), 1));
        BOUNDS.put("frameDecode", new Bound("copy of the frame", List.of("boundCopy"), 1));
        BOUNDS.put("seal", new Bound("raw AES-GCM seal, same size", List.of("boundAesGcmSeal"), 1));
        BOUNDS.put("open", new Bound("raw AES-GCM open, same size", List.of("boundAesGcmOpen"), 1));
        BOUNDS.put("sealAfterRelease", new Bound("raw AES-GCM seal, same size", List.of("boundAesGcmSeal"), 1));
        BOUNDS.put("serverHello", new Bound("1 x X25519 keygen+agreement (BC)", List.of("boundX25519Bc"), 1));
        BOUNDS.put("serverHelloAck", new Bound("2 x HMAC-SHA256", List.of("boundHmacSha256"), 2));
        BOUNDS.put("server total", new Bound("1 x X25519 keygen+agreement (BC)", List.of("boundX25519Bc"), 1));
        BOUNDS.put("handshakeBothRoles", new Bound("2 x X25519 keygen+agreement (BC)", List.of("boundX25519Bc"), 2));
        BOUNDS.put("boundX25519Jdk", new Bound("X25519 keygen+agreement (BC)", List.of("boundX25519Bc"), 1));
    }

    static void print(List<RunResult> results, PrintStream out) {
        Map<String, Figure> byKey = new LinkedHashMap<>();
        Map<String, List<Double>> scoresByKey = new LinkedHashMap<>();
        Map<String, String> units = new LinkedHashMap<>();
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            String method = label.substring(label.lastIndexOf('.') + 1);
            String size = r.getParams().getParamsKeys().contains("size") ? r.getParams().getParam("size") : "";
            String key = size.isEmpty() ? method : method + "@" + size;
            List<Double> scores = scoresByKey.computeIfAbsent(key, k -> new ArrayList<>());
            r.getBenchmarkResults().forEach(br -> br.getIterationResults().forEach(ir -> scores.add(ir.getPrimaryResult().getScore())));
            units.put(key, r.getPrimaryResult().getScoreUnit());
        }
        // The best iteration (noise on a loaded machine only ever adds time), with the median beside it.
        scoresByKey.forEach((key, scores) -> {
            scores.sort(null);
            int at = key.indexOf('@');
            Figure f = new Figure(at < 0 ? key : key.substring(0, at), at < 0 ? "" : key.substring(at + 1), scores.get(0),
                    quantile(scores, 0.5), units.get(key));
            byKey.put(key, f);
        });
        Figure hello = byKey.get("serverHello");
        Figure ack = byKey.get("serverHelloAck");
        if (hello != null && ack != null && hello.unit().equals(ack.unit())) {
            byKey.put("server total", new Figure("server total", "", hello.score() + ack.score(), hello.error() + ack.error(),
                    hello.unit()));
        }
        out.println();
        out.println("Figures: best measurement iteration over all rounds (median in brackets); ratios use the best figures.");
        out.println();
        out.println("| benchmark | size (B) | figure | bound (same run) | bound figure | figure / bound |");
        out.println("|---|---|---|---|---|---|");
        List<String> printed = new ArrayList<>();
        for (Figure f : byKey.values()) {
            if (f.method().startsWith("bound") && !BOUNDS.containsKey(f.method())) {
                continue;
            }
            printed.add(f.key());
            Bound bound = BOUNDS.get(f.method());
            String boundCell = "-";
            String boundFigure = "-";
            String ratio = "-";
            if (bound != null) {
                double sum = 0;
                boolean all = true;
                for (String m : bound.methods()) {
                    Figure bf = byKey.get(f.size().isEmpty() ? m : m + "@" + f.size());
                    if (bf == null) {
                        bf = byKey.get(m);
                    }
                    if (bf == null || !bf.unit().equals(f.unit())) {
                        all = false;
                        break;
                    }
                    sum += bf.score();
                }
                if (all) {
                    double b = sum * bound.factor();
                    boundCell = bound.label();
                    boundFigure = fmt(b) + " " + f.unit();
                    ratio = String.format(Locale.ROOT, "%.2f x", f.score() / b);
                }
            }
            out.printf(Locale.ROOT, "| %s | %s | %s (%s) %s | %s | %s | %s |%n", f.method(), f.size().isEmpty() ? "-" : f.size(),
                    fmt(f.score()), fmt(f.error()), f.unit(), boundCell, boundFigure, ratio);
        }
        out.println();
        out.println("Raw bounds:");
        for (Figure f : byKey.values()) {
            if (f.method().startsWith("bound")) {
                out.printf(Locale.ROOT, "  %-18s %-5s %s (%s) %s%n", f.method(), f.size(), fmt(f.score()), fmt(f.error()), f.unit());
            }
        }
        out.println("figure / bound: time per operation over the bound's; 1.00 x = as fast as the bound, "
                + "so seal/open at r x run at 1/r of raw AES-GCM's throughput.");
    }

    private static double quantile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        double pos = q * (sorted.size() - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
    }

    private static String fmt(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
