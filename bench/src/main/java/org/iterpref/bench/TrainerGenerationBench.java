package org.iterpref.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.iterpref.trainer.checkpoint.ModelConfig;
import org.iterpref.trainer.model.DecoderModel;
import org.iterpref.trainer.model.Engines;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Greedy generation with the trainer's DJL decoder, against the same greedy loop in PyTorch eager, in
 * the same run: tokens/s of {@link DecoderModel#generateGreedy} (KV cache), of
 * {@link DecoderModel#generateGreedyUncached} (the whole prefix recomputed each step) and of
 * {@code bench/trainer_bench.py run} (plain PyTorch eager with a KV cache, run by
 * {@code /usr/bin/python3} in a subprocess), the ratios, and how many generated ids agree.
 *
 * <p>Rounds alternate the sides (PyTorch, DJL KV cache, DJL no cache), so drift on a shared machine
 * hits all of them alike; every number is the median over all timed repeats of all rounds. One
 * "token" is one new id; each timed repeat is a full generation from the prompt, prefill included.
 *
 * <p>Options ({@code -Dbench.NAME=VALUE} or {@code NAME=VALUE}): {@code model} (the model
 * directory, required; {@code trainer_bench.py make-model} writes one), {@code script}
 * ({@code bench/trainer_bench.py}), {@code python} ({@code /usr/bin/python3}), {@code tokens} (256),
 * {@code promptLen} (32), {@code threads} (2), {@code rounds} (3), {@code repeats} (5 per round, KV
 * cache on both engines), {@code uncachedRepeats} (1 per round), {@code warmup} (1),
 * {@code tieTolerance} (1e-3: where the ids first differ, the largest logit gap that still counts as a
 * float32 near-tie rather than a model mismatch).
 *
 * <p>Exit status: 0 measured; 1 the two engines disagree in a way rounding cannot explain (the first
 * id differs, or the ids part where DJL's top choice beats PyTorch's by more than the tolerance), or
 * DJL's cached and uncached ids differ from the first id on; 2 the benchmark could not run.
 */
public final class TrainerGenerationBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainerGenerationBench() {
    }

    record Options(Path model, Path script, String python, int tokens, int promptLen, int threads, int rounds,
                   int repeats, int uncachedRepeats, int warmup, double tieTolerance) {

        static Options from(String[] args) {
            BenchArgs values = new BenchArgs(args);
            String model = values.string("model", null);
            if (model == null) {
                throw new IllegalArgumentException("model=DIR is required (bench/trainer_bench.py make-model DIR writes one)");
            }
            Options o = new Options(Path.of(model), Path.of(values.string("script", "bench/trainer_bench.py")),
                    values.string("python", "/usr/bin/python3"), values.integer("tokens", 256),
                    values.integer("promptLen", 32), values.integer("threads", 2), values.integer("rounds", 3),
                    values.integer("repeats", 5), values.integer("uncachedRepeats", 1), values.integer("warmup", 1),
                    Double.parseDouble(values.string("tieTolerance", "1e-3")));
            if (o.tokens < 1 || o.promptLen < 1 || o.threads < 1 || o.rounds < 1 || o.repeats < 1
                    || o.uncachedRepeats < 0 || o.warmup < 0) {
                throw new IllegalArgumentException("tokens, promptLen, threads, rounds and repeats must be >= 1: " + o);
            }
            return o;
        }
    }

    /** One run of the PyTorch side: its repeats' rates, the prompt it used and the ids it generated. */
    record TorchRun(String version, int threads, long[] prompt, long[] ids, List<Double> rates) {
    }

    public static void main(String[] args) {
        // Before anything logs: DJL's debug output would drown the results (logback reads this once).
        setIfAbsent("logback.configurationFile", "trainer-bench-logback.xml");
        Options options;
        try {
            options = Options.from(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try {
            System.exit(run(options));
        } catch (IOException | RuntimeException e) {
            System.err.println("the benchmark could not run: " + e);
            e.printStackTrace();
            System.exit(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(2);
        }
    }

    static int run(Options o) throws IOException, InterruptedException {
        // DJL reads these once, when the PyTorch engine first loads.
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(o.threads));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", Integer.toString(o.threads));
        List<Double> torchRates = new ArrayList<>();
        List<Double> cachedRates = new ArrayList<>();
        List<Double> uncachedRates = new ArrayList<>();
        TorchRun torch = null;
        long[] cachedIds = null;
        long[] uncachedIds = null;
        try (NDManager manager = Engines.newCpuManager();
             DecoderModel model = DecoderModel.load(o.model, manager)) {
            for (int round = 1; round <= o.rounds; round++) {
                torch = runTorch(o);
                torchRates.addAll(torch.rates());
                long[] prompt = torch.prompt();
                if (round == 1) {
                    log("warming up DJL (%d run(s) with the KV cache, one short run without)", o.warmup);
                    for (int i = 0; i < o.warmup; i++) {
                        model.generateGreedy(prompt, o.tokens);
                    }
                    if (o.uncachedRepeats > 0) {
                        model.generateGreedyUncached(prompt, Math.min(o.tokens, 16));
                    }
                }
                for (int i = 0; i < o.repeats; i++) {
                    long started = System.nanoTime();
                    long[] ids = model.generateGreedy(prompt, o.tokens);
                    cachedRates.add(rate(o.tokens, started));
                    if (cachedIds != null && !Arrays.equals(ids, cachedIds)) {
                        log("warning: DJL's KV-cached ids differ between repeats");
                    }
                    cachedIds = ids;
                }
                for (int i = 0; i < o.uncachedRepeats; i++) {
                    long started = System.nanoTime();
                    uncachedIds = model.generateGreedyUncached(prompt, o.tokens);
                    uncachedRates.add(rate(o.tokens, started));
                }
                log("round %d: PyTorch eager %s tok/s, DJL KV cache %s tok/s, DJL no cache %s tok/s", round,
                        rates(torch.rates()), rates(cachedRates.subList(cachedRates.size() - o.repeats, cachedRates.size())),
                        rates(uncachedRates.subList(uncachedRates.size() - o.uncachedRepeats, uncachedRates.size())));
            }
            return report(o, manager, model, torch, torchRates, cachedRates, uncachedRates, cachedIds, uncachedIds);
        }
    }

    private static int report(Options o, NDManager manager, DecoderModel model, TorchRun torch, List<Double> torchRates,
                              List<Double> cachedRates, List<Double> uncachedRates, long[] cachedIds,
                              long[] uncachedIds) {
        ModelConfig c = model.config();
        System.out.printf(Locale.ROOT, "%nTrainer generation benchmark: %d new tokens, greedy, from a %d-token prompt;"
                        + " %d threads, float32, %d cores%n", o.tokens, o.promptLen, o.threads,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "model: %s (random weights, %s)%n", c.describe(), o.model);
        System.out.printf(Locale.ROOT, "engines: DJL %s on libtorch %s; PyTorch %s eager (%s)%n", Engine.getDjlVersion(),
                Engines.pytorch().getVersion(), torch.version(), o.python);
        System.out.printf(Locale.ROOT, "%d rounds alternating the sides; median and best over all timed repeats"
                + " (each repeat: prefill + %d steps)%n", o.rounds, o.tokens);
        System.out.println("-".repeat(78));
        System.out.printf(Locale.ROOT, "%-44s %11s %10s %8s%n", "", "median tok/s", "best tok/s", "repeats");
        row("DJL KV cache (generateGreedy)", cachedRates);
        row("DJL no cache (generateGreedyUncached)", uncachedRates);
        row("PyTorch eager KV cache (" + torch.threads() + " threads)", torchRates);
        System.out.println("-".repeat(78));
        double cached = median(cachedRates);
        double torchRate = median(torchRates);
        if (!uncachedRates.isEmpty()) {
            System.out.printf(Locale.ROOT, "%-44s %11.2f%n", "ratio DJL KV cache / DJL no cache", cached / median(uncachedRates));
        }
        double ratio = cached / torchRate;
        System.out.printf(Locale.ROOT, "%-44s %11.2f   target >= 1.0 (median): %s%n", "ratio DJL / PyTorch eager (KV cache)",
                ratio, ratio >= 1.0 ? "met" : "missed");
        System.out.printf(Locale.ROOT, "%-44s %11.2f%n", "ratio DJL / PyTorch eager, best / best", max(cachedRates) / max(torchRates));
        int status = 0;
        int agree = commonPrefix(cachedIds, torch.ids());
        if (agree == cachedIds.length) {
            System.out.printf(Locale.ROOT, "%-44s %d of %d ids identical%n", "token agreement DJL / PyTorch", agree, o.tokens);
        } else {
            Divergence d = divergence(manager, model, torch.prompt(), cachedIds, torch.ids(), agree);
            boolean nearTie = d.gap() <= o.tieTolerance;
            System.out.printf(Locale.ROOT, "%-44s first %d of %d ids identical; at new id %d DJL picks %d, PyTorch %d:"
                            + " DJL's logits %.6f vs %.6f, gap %.2e (%s)%n", "token agreement DJL / PyTorch", agree,
                    o.tokens, agree, cachedIds[agree], torch.ids()[agree], d.djlTop(), d.djlForTorch(), d.gap(),
                    nearTie ? "a float32 near-tie" : "NOT a near-tie: the models differ");
            if (agree == 0 || !nearTie) {
                System.out.println("FAILED: DJL and PyTorch disagree where rounding cannot explain it"
                        + " (the model code or the benchmark model differs between the two)");
                status = 1;
            }
        }
        if (uncachedIds != null) {
            int same = commonPrefix(cachedIds, uncachedIds);
            System.out.printf(Locale.ROOT, "%-44s %d of %d ids identical%n", "token agreement DJL KV cache / no cache",
                    same, o.tokens);
            if (same == 0) {
                System.out.println("FAILED: the KV-cached and the uncached DJL decoders disagree on the first id");
                status = 1;
            }
        }
        return status;
    }

    /** DJL's own logits at the first step where the engines chose differently. */
    record Divergence(double djlTop, double djlForTorch, double gap) {
    }

    private static Divergence divergence(NDManager manager, DecoderModel model, long[] prompt, long[] djl, long[] torch, int at) {
        long[] prefix = Arrays.copyOf(prompt, prompt.length + at);
        System.arraycopy(djl, 0, prefix, prompt.length, at);
        try (NDManager scope = manager.newSubManager()) {
            Shape shape = new Shape(1, prefix.length);
            NDArray ids = scope.create(prefix, shape);
            float[] logits = model.logits(ids, scope.ones(shape, ids.getDataType())).get("0, -1, :").toFloatArray();
            double top = logits[(int) djl[at]];
            double other = logits[(int) torch[at]];
            return new Divergence(top, other, top - other);
        }
    }

    private static TorchRun runTorch(Options o) throws IOException, InterruptedException {
        List<String> command = List.of(o.python, o.script.toString(), "run", o.model.toString(),
                "--tokens", Integer.toString(o.tokens), "--prompt-len", Integer.toString(o.promptLen),
                "--threads", Integer.toString(o.threads), "--repeats", Integer.toString(o.repeats),
                "--warmup", Integer.toString(o.warmup));
        Path out = Files.createTempFile("trainer-bench-torch", ".json");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            // torch.set_num_threads sizes PyTorch's own pool; OpenBLAS (Debian's BLAS for torch) has its own.
            builder.environment().putIfAbsent("OPENBLAS_NUM_THREADS", Integer.toString(o.threads));
            Process process = builder.start();
            int exit = process.waitFor();
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (exit != 0) {
                throw new IllegalStateException("PyTorch side failed (exit " + exit + "): " + String.join(" ", command));
            }
            JsonNode json = JSON.readTree(text);
            List<Double> rates = new ArrayList<>();
            json.path("repeats_tokens_per_s").forEach(n -> rates.add(n.asDouble()));
            return new TorchRun(json.path("torch").asString(), json.path("threads").asInt(),
                    longs(json.path("prompt_ids")), longs(json.path("ids")), rates);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static int commonPrefix(long[] a, long[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return n;
    }

    private static void row(String label, List<Double> rates) {
        if (rates.isEmpty()) {
            System.out.printf(Locale.ROOT, "%-44s %11s %10s %8d%n", label, "-", "-", 0);
            return;
        }
        System.out.printf(Locale.ROOT, "%-44s %11.1f %10.1f %8d%n", label, median(rates), max(rates), rates.size());
    }

    private static double rate(int tokens, long startedNanos) {
        return tokens / ((System.nanoTime() - startedNanos) / 1e9);
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static String rates(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList().toString();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }
}
