package org.iterpref.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Executor benchmark: the same corpus of HumanEval-sized programs (each with five assert
 * tests) run through the executor service's batch API in bubblewrap sandboxes and, as the
 * baseline, as bare {@code python3} subprocesses without any sandbox, at the same concurrency
 * and in the same run. Passes alternate (bare, sandboxed, bare, sandboxed, ...) to spread
 * drift evenly; the ratio is taken between the MEAN throughput of each side (the best pass of
 * each is printed too). Target: sandboxed >= 1.0x bare (issue 11).
 *
 * <p>Exit status: 0 when every execution passed (whether or not the target is met), 1 when any
 * execution did not pass (the numbers are then void), 2 when the benchmark could not run.
 *
 * <p>Options ({@code -Dbench.NAME=VALUE} or {@code NAME=VALUE} arguments): programs (500),
 * concurrency (cores), batch (10), python (/usr/bin/python3), warmup (50), rounds (2),
 * wallTimeMs (5000), backend (bubblewrap; "docker" runs the service's Docker backend on the
 * engine and image that bench/run-executor-bench.sh makes available; "unsandboxed" is a diagnostic
 * that isolates the cost of everything but the sandbox and is not the benchmark).
 */
public final class ExecutorBenchmark {

    static final double TARGET_RATIO = 1.0;
    private static final int MAX_FAILURES_SHOWN = 10;
    private static final long MAX_WARMUP_NANOS = 60_000_000_000L;
    private static final double STEADY_COMPILE_SHARE = 0.05;
    private static final int STEADY_CHUNKS = 3;

    private ExecutorBenchmark() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(BenchOptions.from(args));
        } catch (Exception e) {
            System.err.println("benchmark could not run: " + e);
            e.printStackTrace(System.err);
            status = 2;
        }
        System.exit(status);
    }

    static int run(BenchOptions o) throws IOException, InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        List<Program> corpus = ProgramCorpus.generate(o.programs());
        List<Program> warmup = corpus.subList(0, Math.min(o.warmup(), corpus.size()));
        String pythonVersion = pythonVersion(o.python());
        log("corpus: %d programs of %d kinds, %d assert tests each, %.1f code lines on average",
                corpus.size(), Math.min(ProgramCorpus.kinds(), corpus.size()), ProgramCorpus.TESTS_PER_PROGRAM,
                corpus.stream().mapToInt(Program::codeLines).average().orElse(0));
        log("python: %s (%s); cores: %d; concurrency: %d; batch: %d", o.python(), pythonVersion, cores,
                o.concurrency(), o.batch());

        List<Measurement> bare = new ArrayList<>();
        List<Measurement> sandboxed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<CpuSample.Usage> bareCpu = new ArrayList<>();
        List<CpuSample.Usage> sandboxedCpu = new ArrayList<>();
        String backend;
        int retries;
        try (BareRunner bareRunner = new BareRunner(o.python(), o.concurrency())) {
            bareRunner.prepare(corpus);
            log("starting the executor service in-process ...");
            try (ServiceRunner service = ServiceRunner.start(o)) {
                log("warm-up: %d programs each way (untimed)", warmup.size());
                failures.addAll(bareRunner.run(warmup).failures());
                failures.addAll(service.run(warmup).failures());
                warmUntilCompiled(service, warmup, failures);
                for (int round = 1; round <= o.rounds(); round++) {
                    CpuSample before = CpuSample.take();
                    bare.add(measured(bareRunner.run(corpus), round, failures));
                    CpuSample between = CpuSample.take();
                    sandboxed.add(measured(service.run(corpus), round, failures));
                    CpuSample after = CpuSample.take();
                    bareCpu.add(between.since(before, corpus.size()));
                    sandboxedCpu.add(after.since(between, corpus.size()));
                }
                backend = String.join(",", service.backends()).equals(o.backend()) ? o.backendLabel()
                        : String.join(",", service.backends());
                retries = service.retries();
            }
        }
        printTable(o, cores, pythonVersion, backend, retries, bare, sandboxed);
        printCpu(bareCpu, sandboxedCpu);
        if (!failures.isEmpty()) {
            System.out.printf("%nVOID: %d execution(s) did not pass; first %d:%n", failures.size(),
                    Math.min(MAX_FAILURES_SHOWN, failures.size()));
            failures.stream().limit(MAX_FAILURES_SHOWN).forEach(f -> System.out.println("  " + f));
            return 1;
        }
        return 0;
    }

    /**
     * A service runs for hours; a pass of a few seconds right after start-up would measure the
     * JIT compilers as much as the service. Warm-up goes on (for at most {@link #MAX_WARMUP_NANOS})
     * until compiling took under {@link #STEADY_COMPILE_SHARE} of the wall time of
     * {@link #STEADY_CHUNKS} chunks in a row.
     */
    private static void warmUntilCompiled(ServiceRunner service, List<Program> chunk, List<String> failures)
            throws IOException, InterruptedException {
        var compiler = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (compiler == null || !compiler.isCompilationTimeMonitoringSupported() || chunk.isEmpty()) {
            return;
        }
        long end = System.nanoTime() + MAX_WARMUP_NANOS;
        int quiet = 0;
        for (int i = 1; System.nanoTime() < end; i++) {
            long compiledBefore = compiler.getTotalCompilationTime();
            long start = System.nanoTime();
            failures.addAll(service.run(chunk).failures());
            double wallMs = (System.nanoTime() - start) / 1e6;
            double share = (compiler.getTotalCompilationTime() - compiledBefore) / wallMs;
            log("warm-up chunk %d: JIT compilation %.0f%% of its wall time", i, share * 100);
            quiet = share < STEADY_COMPILE_SHARE ? quiet + 1 : 0;
            if (quiet == STEADY_CHUNKS) {
                return;
            }
        }
    }

    private static Measurement measured(Measurement m, int round, List<String> failures) {
        log("round %d %-9s %4d executions in %7.2f s = %8.1f executions/s  (p50 %d ms, p95 %d ms)%s", round,
                m.side(), m.executions(), m.elapsedNanos() / 1e9, m.perSecond(), m.percentileMs(50),
                m.percentileMs(95), m.allPassed() ? "" : "  FAILURES: " + m.failures().size());
        failures.addAll(m.failures());
        return m;
    }

    private static void printTable(BenchOptions o, int cores, String pythonVersion, String backend, int retries,
                                   List<Measurement> bare, List<Measurement> sandboxed) {
        double bareMean = mean(bare, Measurement::perSecond);
        double sandboxedMean = mean(sandboxed, Measurement::perSecond);
        double bareBest = best(bare);
        double sandboxedBest = best(sandboxed);
        double ratio = sandboxedMean / bareMean;
        String rule = "-".repeat(64);
        System.out.println();
        System.out.println("Executor benchmark: sandboxed (service batch API) vs bare python3 subprocesses");
        System.out.println(rule);
        row("programs x tests", o.programs() + " x " + ProgramCorpus.TESTS_PER_PROGRAM);
        row("cores / concurrency / batch", cores + " / " + o.concurrency() + " / " + o.batch());
        row("service workers", Integer.toString(o.serviceWorkers()));
        row("python", o.python() + " (" + pythonVersion + ")");
        row("sandbox backend", backend + (retries > 0 ? " (429 retries: " + retries + ")" : ""));
        row("measured passes per side", o.rounds() + " (alternating, after warm-up)");
        System.out.println(rule);
        System.out.printf(Locale.ROOT, "%-30s %12s %12s %8s %8s%n", "", "mean exec/s", "best exec/s", "p50 ms",
                "p95 ms");
        side("bare python3 (baseline)", bareMean, bareBest, bare);
        side("sandboxed (executor)", sandboxedMean, sandboxedBest, sandboxed);
        System.out.println(rule);
        System.out.printf(Locale.ROOT, "%-30s %12.3f %12.3f%n", "ratio sandboxed/bare", ratio,
                sandboxedBest / bareBest);
        System.out.printf(Locale.ROOT, "target %.1fx (on the mean): %s%n", TARGET_RATIO,
                ratio >= TARGET_RATIO ? "met" : "missed");
    }

    /** Where the CPU went: on a machine whose cores are all busy, throughput is CPU per execution. */
    private static void printCpu(List<CpuSample.Usage> bare, List<CpuSample.Usage> sandboxed) {
        System.out.println();
        System.out.println("CPU per execution, ms (mean of the measured passes; /proc, steal excluded)");
        System.out.printf(Locale.ROOT, "%-30s %12s %12s %12s%n", "", "machine", "this JVM", "stolen");
        for (var side : List.of(Map.entry("bare python3 (baseline)", bare), Map.entry("sandboxed (executor)", sandboxed))) {
            System.out.printf(Locale.ROOT, "%-30s %12.2f %12.2f %12.2f%n", side.getKey(),
                    meanOf(side.getValue(), CpuSample.Usage::machineMs), meanOf(side.getValue(), CpuSample.Usage::jvmMs),
                    meanOf(side.getValue(), CpuSample.Usage::stolenMs));
        }
        Map<String, Double> groups = new java.util.TreeMap<>();
        sandboxed.forEach(u -> u.jvmGroups().forEach((k, v) -> groups.merge(k, v / sandboxed.size(), Double::sum)));
        System.out.println("this JVM's threads during the sandboxed passes (client and service; 0.2 ms and up):");
        groups.entrySet().stream().filter(e -> e.getValue() >= 0.2)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> System.out.printf(Locale.ROOT, "  %-40s %8.2f%n", e.getKey(), e.getValue()));
    }

    private static double meanOf(List<CpuSample.Usage> usages, ToDoubleFunction<CpuSample.Usage> f) {
        return usages.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static void side(String label, double mean, double best, List<Measurement> passes) {
        long[] all = passes.stream().flatMapToLong(m -> java.util.Arrays.stream(m.latenciesMs())).toArray();
        Measurement merged = new Measurement(label, all.length, 1, all, List.of());
        System.out.printf(Locale.ROOT, "%-30s %12.1f %12.1f %8d %8d%n", label, mean, best,
                merged.percentileMs(50), merged.percentileMs(95));
    }

    private static void row(String label, String value) {
        System.out.printf(Locale.ROOT, "%-30s %s%n", label, value);
    }

    private static double mean(List<Measurement> ms, ToDoubleFunction<Measurement> f) {
        return ms.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static double best(List<Measurement> ms) {
        return ms.stream().mapToDouble(Measurement::perSecond).max().orElse(Double.NaN);
    }

    private static String pythonVersion(String python) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(python, "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IOException(python + " --version failed: " + out);
        }
        return out;
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }
}
