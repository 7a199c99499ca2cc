package org.iterpref.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.iterpref.trainer.checkpoint.ModelConfig;
import org.iterpref.trainer.dpo.DpoHyperparameters;
import org.iterpref.trainer.dpo.DpoOptimizerStep;
import org.iterpref.trainer.dpo.EncodedPair;
import org.iterpref.trainer.model.DecoderModel;
import org.iterpref.trainer.model.Engines;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * One full focal DPO optimizer step with the trainer's DJL code, against the same step in PyTorch
 * eager, in the same run: tokens/s of {@link DpoOptimizerStep#run} (forward of the chosen and rejected
 * sequences, focal DPO + α·NLL, backward, clipping at 1.0, AdamW) and of the same step in plain
 * PyTorch eager ({@code bench/training_bench.py serve}, run by {@code /usr/bin/python3} in a
 * subprocess), on the same weights and the same pairs, and their ratio.
 *
 * <p>The batch: {@code pairs} pairs of {@code promptLen} prompt ids and {@code completionLen}
 * completion ids (the last one the end token) per sequence, ids from a {@link Random} seeded with
 * {@code seed}; each rejected completion is its chosen one with a contiguous error region of a
 * quarter of the completion replaced by other ids, and its focal mask is that region. The batch is
 * written to a JSON file that the PyTorch side reads, so both train on the same ids. One token is one
 * id of one of the {@code 2·pairs} sequences; tokens/s = tokens per step / the step's wall time.
 *
 * <p>Reference log-probs are the starting model's ({@link DpoOptimizerStep#sequenceLogProbs} before
 * the first step, untimed; the PyTorch side likewise with its own model). The first step of each
 * side starts from the same weights, so its loss and gradient norm must agree: within
 * {@code tolerance} (1e-4) relative, or the numbers are void. After the warm-up steps, rounds alternate
 * the sides — {@code repeats} PyTorch steps, then {@code repeats} DJL steps, the other way round in
 * the next round — so that both run under the same load on a shared machine (the PyTorch process
 * stays up and takes one step per request); every number is the median (and best) over all timed steps,
 * and the median of the per-round ratios is printed beside it. Each side keeps training its own model
 * across the rounds. At the end the PyTorch side computes the first step again in float64, which
 * shows how far each float32 engine is from the exact numbers, and the losses of every timed step are
 * compared (same steps, same data: they must stay within {@code trajectoryTolerance}, and be finite).
 * The JVM's peak resident set during the DJL steps is read from the kernel ({@code VmHWM} after a
 * reset), and the native arrays the benchmark's root manager holds are counted before the first step
 * and after the last (a count that grows with the steps is a leak).
 *
 * <p>Options ({@code -Dbench.NAME=VALUE} or {@code NAME=VALUE}): {@code model} (the model directory,
 * required; {@code trainer_bench.py make-model} writes one), {@code script}
 * ({@code bench/training_bench.py}), {@code python} ({@code /usr/bin/python3}), {@code pairs} (2),
 * {@code promptLen} (64), {@code completionLen} (192, end token included), {@code threads} (2),
 * {@code rounds} (8), {@code repeats} (2 timed steps per side per round), {@code warmup} (1 untimed
 * step per side), {@code forwardRepeats} (1 per round: a
 * diagnostic, the DJL forward + label log-probs alone, without gradients), {@code seed} (1: the ids),
 * {@code lr} (1e-4, constant), {@code tolerance} (1e-4: the first step's loss and gradient norm),
 * {@code trajectoryTolerance} (1e-3: every timed step's loss).
 *
 * <p>Exit status: 0 measured; 1 the first step's loss or gradient norm differ between the engines by
 * more than the tolerance, a timed step's losses by more than the trajectory tolerance, or a loss or
 * gradient norm is not finite (the numbers are void); 2 the benchmark could not run.
 */
public final class TrainerTrainingBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainerTrainingBench() {
    }

    record Options(Path model, Path script, String python, int pairs, int promptLen, int completionLen, int threads,
                   int rounds, int repeats, int warmup, int forwardRepeats, long seed, double lr, double tolerance,
                   double trajectoryTolerance) {

        static Options from(String[] args) {
            BenchArgs values = new BenchArgs(args);
            String model = values.string("model", null);
            if (model == null) {
                throw new IllegalArgumentException("model=DIR is required (bench/trainer_bench.py make-model DIR writes one)");
            }
            Options o = new Options(Path.of(model), Path.of(values.string("script", "bench/training_bench.py")),
                    values.string("python", "/usr/bin/python3"), values.integer("pairs", 2),
                    values.integer("promptLen", 64), values.integer("completionLen", 192), values.integer("threads", 2),
                    values.integer("rounds", 8), values.integer("repeats", 2), values.integer("warmup", 1),
                    values.integer("forwardRepeats", 1), Long.parseLong(values.string("seed", "1").strip()),
                    Double.parseDouble(values.string("lr", "1e-4")), Double.parseDouble(values.string("tolerance", "1e-4")),
                    Double.parseDouble(values.string("trajectoryTolerance", "1e-3")));
            if (o.pairs < 1 || o.promptLen < 1 || o.completionLen < 4 || o.threads < 1 || o.rounds < 1 || o.repeats < 1
                    || o.warmup < 1 || o.forwardRepeats < 0 || !(o.lr > 0) || !(o.tolerance > 0)) {
                throw new IllegalArgumentException("pairs, promptLen, threads, rounds, repeats and warmup must be >= 1,"
                        + " completionLen >= 4, lr and tolerance > 0: " + o);
            }
            return o;
        }
    }

    /** A step's loss and gradient norm (before clipping). */
    record LossAndNorm(double loss, double gradNorm) {
    }

    /** One PyTorch step: its seconds, loss, gradient norm before clipping, and its phases' seconds. */
    record TorchStep(double seconds, double loss, double gradNorm, Map<String, Double> phases) {
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
        List<Double> djlRates = new ArrayList<>();
        List<Double> torchRates = new ArrayList<>();
        List<Double> roundRatios = new ArrayList<>();
        List<Double> forwardRates = new ArrayList<>();
        List<TorchStep> torchSteps = new ArrayList<>();
        List<LossAndNorm> djlSteps = new ArrayList<>();
        Path batchFile = Files.createTempFile("trainer-training-bench", ".json");
        try (NDManager manager = Engines.newCpuManager();
             DecoderModel model = DecoderModel.load(o.model, manager)) {
            model.enableGradients();
            ModelConfig c = model.config();
            long endId = c.eosTokenIds().isEmpty() ? c.vocabSize() - 1 : c.eosTokenIds().get(0);
            List<EncodedPair> pairs = makePairs(o, c.vocabSize(), endId);
            DpoHyperparameters hp = hyperparameters(o);
            writeBatch(batchFile, pairs, hp, o.lr, endId);
            log("starting the PyTorch side (its reference log-probs and %d warm-up step(s))", o.warmup);
            try (TorchSide torch = TorchSide.start(o, batchFile);
                 DpoOptimizerStep step = new DpoOptimizerStep(model, endId, hp, manager)) {
                double[][] reference = step.sequenceLogProbs(pairs);
                long rssBefore = Rss.current();
                int arraysBefore = manager.getManagedArrays().size();
                boolean peakReset = Rss.resetPeak();
                log("warming up DJL (%d untimed step(s); the first one is checked against PyTorch's)", o.warmup);
                collectGarbage();
                LossAndNorm djlFirst = null;
                long tokens = 0;
                for (int i = 0; i < o.warmup; i++) {
                    DpoOptimizerStep.Outcome outcome = step.run(pairs, reference, o.lr);
                    if (i == 0) {
                        djlFirst = new LossAndNorm(outcome.loss(), outcome.gradNorm());
                        tokens = outcome.tokens();
                    }
                }
                for (int round = 1; round <= o.rounds; round++) {
                    List<Double> djlRound = new ArrayList<>();
                    List<Double> torchRound = new ArrayList<>();
                    // the side that goes first alternates too
                    for (int side = 0; side < 2; side++) {
                        if ((side == 0) == (round % 2 == 1)) {
                            for (int i = 0; i < o.repeats; i++) {
                                TorchStep t = torch.step();
                                torchSteps.add(t);
                                torchRound.add(torch.tokens() / t.seconds());
                            }
                        } else {
                            collectGarbage();
                            for (int i = 0; i < o.repeats; i++) {
                                long started = System.nanoTime();
                                DpoOptimizerStep.Outcome outcome = step.run(pairs, reference, o.lr);
                                djlRound.add(outcome.tokens() / ((System.nanoTime() - started) / 1e9));
                                djlSteps.add(new LossAndNorm(outcome.loss(), outcome.gradNorm()));
                            }
                        }
                    }
                    for (int i = 0; i < o.forwardRepeats; i++) {
                        long started = System.nanoTime();
                        step.sequenceLogProbs(pairs);
                        forwardRates.add(tokens / ((System.nanoTime() - started) / 1e9));
                    }
                    djlRates.addAll(djlRound);
                    torchRates.addAll(torchRound);
                    roundRatios.add(median(djlRound) / median(torchRound));
                    log("round %d: PyTorch eager %s tok/s, DJL %s tok/s; JVM resident set %d MiB", round,
                            rates(torchRound), rates(djlRound), Rss.current() >> 20);
                }
                long rssAfter = Rss.current();
                long rssPeak = peakReset ? Rss.peak() : -1;
                int arraysAfter = manager.getManagedArrays().size();
                log("the first step in float64 (PyTorch)");
                LossAndNorm exact = torch.float64();
                return report(o, model, hp, tokens, reference, djlFirst, djlSteps, torch, exact, torchSteps, djlRates,
                        torchRates, roundRatios, forwardRates,
                        new Memory(rssBefore, rssPeak, rssAfter, arraysBefore, arraysAfter));
            }
        } finally {
            Files.deleteIfExists(batchFile);
        }
    }

    /**
     * A full collection before the DJL steps (untimed), so that none happens during one (with the
     * young generation that run-training-bench.sh gives the JVM). trainer-service 0.1.0 hands
     * libtorch's autograd tensors whose memory is a Java direct buffer that DJL frees once the buffer
     * is collected: the rotary tables (closed right after the forward) and the attention's scalar
     * divisor (DJL closes it after {@code div(Number)}). A collection between a step's forward and its
     * backward therefore frees memory the backward still reads: wrong or NaN gradients. The
     * agreement and trajectory checks catch that; this keeps it from happening in the benchmark.
     */
    private static void collectGarbage() {
        System.gc();
    }

    /** {@link DpoHyperparameters#defaults()} with the benchmark's batch, β 0.1, α 1.0, clipping at 1.0, no decay. */
    static DpoHyperparameters hyperparameters(Options o) {
        DpoHyperparameters d = DpoHyperparameters.defaults();
        return new DpoHyperparameters(d.nEpochs(), o.pairs, 1, o.lr, 0.1, true, 1.0,
                Math.max(d.maxLength(), o.promptLen + o.completionLen), Math.max(d.maxPromptLength(), o.promptLen),
                d.warmupRatio(), 1.0, 0.0, d.checkpointEvery(), d.promptFormat(), d.reference());
    }

    /**
     * The benchmark's pairs: random prompt and chosen ids (below {@code vocab - 2}, so never the
     * special ids at the top of the bench vocabulary), the chosen completion closed by the end token;
     * the rejected completion is the chosen one with a contiguous region of a quarter of it (end token
     * excluded) replaced by different ids, and that region is its focal mask.
     */
    static List<EncodedPair> makePairs(Options o, int vocab, long endId) {
        Random random = new Random(o.seed);
        int ordinary = vocab - 2;
        int body = o.completionLen - 1;
        int region = Math.max(1, o.completionLen / 4);
        List<EncodedPair> pairs = new ArrayList<>();
        for (int p = 0; p < o.pairs; p++) {
            long[] prompt = new long[o.promptLen];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = random.nextInt(ordinary);
            }
            long[] chosen = new long[o.completionLen];
            for (int i = 0; i < body; i++) {
                chosen[i] = random.nextInt(ordinary);
            }
            chosen[body] = endId;
            long[] rejected = chosen.clone();
            boolean[] focal = new boolean[o.completionLen];
            int start = random.nextInt(body - region + 1);
            for (int i = start; i < start + region; i++) {
                long id;
                do {
                    id = random.nextInt(ordinary);
                } while (id == chosen[i]);
                rejected[i] = id;
                focal[i] = true;
            }
            pairs.add(new EncodedPair(p, prompt, chosen, rejected, focal, false));
        }
        return pairs;
    }

    private static void writeBatch(Path file, List<EncodedPair> pairs, DpoHyperparameters hp, double lr, long padId)
            throws IOException {
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("beta", hp.beta());
        batch.put("alpha", hp.nllAlpha());
        batch.put("max_grad_norm", hp.maxGradNorm());
        batch.put("lr", lr);
        batch.put("pad_id", padId);
        List<Map<String, Object>> list = new ArrayList<>();
        for (EncodedPair pair : pairs) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("prompt", pair.promptIds());
            p.put("chosen", pair.chosenIds());
            p.put("rejected", pair.rejectedIds());
            int[] focal = new int[pair.rejectedFocal().length];
            for (int i = 0; i < focal.length; i++) {
                focal[i] = pair.rejectedFocal()[i] ? 1 : 0;
            }
            p.put("rejected_focal", focal);
            list.add(p);
        }
        batch.put("pairs", list);
        Files.writeString(file, JSON.writeValueAsString(batch), StandardCharsets.UTF_8);
    }

    /**
     * The JVM's resident set (bytes) before the first DJL step, at its peak since then (-1: unknown) and
     * after the last, and the native arrays the benchmark's root manager held before and after.
     */
    record Memory(long rssBefore, long rssPeak, long rssAfter, int arraysBefore, int arraysAfter) {
    }

    private static int report(Options o, DecoderModel model, DpoHyperparameters hp, long tokens, double[][] reference,
                              LossAndNorm djl, List<LossAndNorm> djlSteps, TorchSide torch, LossAndNorm exact,
                              List<TorchStep> torchSteps,
                              List<Double> djlRates, List<Double> torchRates, List<Double> roundRatios,
                              List<Double> forwardRates, Memory memory) {
        ModelConfig c = model.config();
        System.out.printf(Locale.ROOT, "%nTrainer training-step benchmark: one focal DPO optimizer step on %d pairs x"
                        + " (%d prompt + %d completion ids) = %d tokens per step; %d threads, float32, %d cores%n",
                o.pairs, o.promptLen, o.completionLen, tokens, o.threads, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "model: %s (random weights, %s)%n", c.describe(), o.model);
        System.out.printf(Locale.ROOT, "step: forward chosen + rejected, focal DPO (beta %.2f) + %.1f x NLL, backward,"
                        + " clip to %.1f, AdamW lr %.0e (0.9, 0.999, 1e-8, decay %.1f); focal region %d of %d rejected ids;"
                        + " ids seed %d%n", hp.beta(), hp.nllAlpha(), hp.maxGradNorm(), o.lr, hp.weightDecay(),
                Math.max(1, o.completionLen / 4), o.completionLen, o.seed);
        System.out.printf(Locale.ROOT, "engines: DJL %s on libtorch %s (DpoOptimizerStep); PyTorch %s eager (%s)%n",
                Engine.getDjlVersion(), Engines.pytorch().getVersion(), torch.version(), o.python);
        System.out.printf(Locale.ROOT, "thread pools: OMP_WAIT_POLICY=%s (both sides), OPENBLAS_NUM_THREADS=%s (PyTorch)%n",
                System.getenv().getOrDefault("OMP_WAIT_POLICY", "unset (default)"),
                System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", Integer.toString(o.threads)));
        System.out.printf(Locale.ROOT, "%d warm-up step(s) per side, then %d rounds of %d timed steps per side, the sides"
                + " alternating; median and best over all timed steps%n", o.warmup, o.rounds, o.repeats);
        System.out.println("-".repeat(78));
        System.out.printf(Locale.ROOT, "%-44s %11s %10s %8s%n", "", "median tok/s", "best tok/s", "steps");
        row("DJL trainer (DpoOptimizerStep.run)", djlRates);
        row("PyTorch eager (" + torch.threads() + " threads)", torchRates);
        System.out.println("-".repeat(78));
        double ratio = median(djlRates) / median(torchRates);
        System.out.printf(Locale.ROOT, "%-44s %11.2f   target >= 1.0 (median): %s%n", "ratio DJL / PyTorch eager",
                ratio, ratio >= 1.0 ? "met" : "missed");
        System.out.printf(Locale.ROOT, "%-44s %11.2f%n", "ratio DJL / PyTorch eager, best / best",
                max(djlRates) / max(torchRates));
        System.out.printf(Locale.ROOT, "%-44s %11.2f   (each round's medians, side by side in time)%n",
                "ratio DJL / PyTorch eager, median per round", median(roundRatios));
        System.out.printf(Locale.ROOT, "%-44s %11.2f s (PyTorch %.2f s)%n", "median step time DJL",
                tokens / median(djlRates), torch.tokens() / median(torchRates));

        int status = 0;
        double lossDiff = relative(djl.loss(), torch.first().loss());
        double normDiff = relative(djl.gradNorm(), torch.first().gradNorm());
        System.out.printf(Locale.ROOT, "%-44s DJL %.6f, PyTorch %.6f: relative difference %.1e%n", "first step: loss",
                djl.loss(), torch.first().loss(), lossDiff);
        System.out.printf(Locale.ROOT, "%-44s DJL %.6f, PyTorch %.6f: relative difference %.1e%n",
                "first step: gradient norm (before clipping)", djl.gradNorm(), torch.first().gradNorm(), normDiff);
        if (exact != null) {
            System.out.printf(Locale.ROOT, "%-44s loss %.6f, gradient norm %.6f; off by DJL %.1e / %.1e,"
                            + " PyTorch %.1e / %.1e%n", "first step in float64 (PyTorch, exact ref.)", exact.loss(),
                    exact.gradNorm(), relative(djl.loss(), exact.loss()), relative(djl.gradNorm(), exact.gradNorm()),
                    relative(torch.first().loss(), exact.loss()), relative(torch.first().gradNorm(), exact.gradNorm()));
        }
        double refDiff = 0;
        for (int i = 0; i < reference.length; i++) {
            for (int j = 0; j < 2; j++) {
                refDiff = Math.max(refDiff, relative(reference[i][j], torch.reference()[i][j]));
            }
        }
        System.out.printf(Locale.ROOT, "%-44s largest relative difference %.1e (pair 0: DJL %.4f / %.4f)%n",
                "reference log-probs (pi_c, pi_r per pair)", refDiff, reference[0][0], reference[0][1]);
        // Both sides take the same steps on the same batch from the same weights: their losses should
        // stay close, and every number must be finite (a NaN step also changes how fast a step runs).
        double trajectoryDiff = 0;
        boolean finite = Double.isFinite(djl.loss()) && Double.isFinite(djl.gradNorm());
        for (int i = 0; i < djlSteps.size(); i++) {
            LossAndNorm d = djlSteps.get(i);
            TorchStep t = torchSteps.get(i);
            finite &= Double.isFinite(d.loss()) && Double.isFinite(d.gradNorm()) && Double.isFinite(t.loss())
                    && Double.isFinite(t.gradNorm());
            trajectoryDiff = Math.max(trajectoryDiff, relative(d.loss(), t.loss()));
        }
        LossAndNorm djlLast = djlSteps.get(djlSteps.size() - 1);
        TorchStep torchLast = torchSteps.get(torchSteps.size() - 1);
        System.out.printf(Locale.ROOT, "%-44s DJL %.6f, PyTorch %.6f; largest relative difference over the timed"
                        + " steps %.1e%n", "loss of the last step (step " + (o.warmup + djlSteps.size()) + ")",
                djlLast.loss(), torchLast.loss(), trajectoryDiff);
        if (!finite) {
            System.out.println("FAILED: a step's loss or gradient norm is not finite: the numbers are void");
            status = 1;
        } else if (!(trajectoryDiff <= o.trajectoryTolerance)) {
            System.out.printf(Locale.ROOT, "FAILED: the two engines' losses drifted apart by more than %.0e relative:"
                    + " the numbers are void%n", o.trajectoryTolerance);
            status = 1;
        }
        if (torch.tokens() != tokens) {
            System.out.printf(Locale.ROOT, "FAILED: the sides trained on different batches (%d vs %d tokens)%n", tokens,
                    torch.tokens());
            status = 1;
        }
        if (!(lossDiff <= o.tolerance && normDiff <= o.tolerance)) {
            System.out.printf(Locale.ROOT, "FAILED: the first step's loss or gradient norm differ by more than %.0e"
                    + " relative: the numbers are void (the model code, the loss or the batch differ)%n", o.tolerance);
            status = 1;
        } else {
            System.out.printf(Locale.ROOT, "%-44s within %.0e relative: ok%n", "agreement check", o.tolerance);
        }

        System.out.println("-".repeat(78));
        int steps = o.warmup + o.rounds * o.repeats;
        if (memory.rssPeak() >= 0) {
            System.out.printf(Locale.ROOT, "%-44s +%d MiB over %d MiB before the first step (peak %d MiB; %+d MiB after"
                            + " the last of %d steps)%n", "JVM resident set during the DJL steps",
                    (memory.rssPeak() - memory.rssBefore()) >> 20, memory.rssBefore() >> 20, memory.rssPeak() >> 20,
                    (memory.rssAfter() - memory.rssBefore()) >> 20, steps);
        } else {
            System.out.printf(Locale.ROOT, "%-44s %d MiB before the first step, %d MiB after the last of %d steps"
                            + " (peak unknown: /proc/self/clear_refs not writable)%n", "JVM resident set",
                    memory.rssBefore() >> 20, memory.rssAfter() >> 20, steps);
        }
        int held = memory.arraysAfter() - memory.arraysBefore();
        System.out.printf(Locale.ROOT, "%-44s %d before the first step, %d after the last (%+d over %d optimizer steps"
                        + " and %d no-grad forwards)%n", "native arrays held by the DJL side", memory.arraysBefore(),
                memory.arraysAfter(), held, steps, forwardRates.size());
        if (!forwardRates.isEmpty()) {
            double forward = tokens / median(forwardRates);
            System.out.printf(Locale.ROOT, "%-44s %.3f s median (%.0f%% of the DJL step)%n",
                    "diagnostic: DJL forward + label log-probs, no grad", forward, 100 * forward / (tokens / median(djlRates)));
        }
        Map<String, List<Double>> phases = new LinkedHashMap<>();
        for (TorchStep t : torchSteps) {
            t.phases().forEach((k, v) -> phases.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, List<Double>> e : phases.entrySet()) {
            if (!e.getKey().equals("step")) {
                line.append(String.format(Locale.ROOT, "%s%s %.3f", line.length() == 0 ? "" : ", ", e.getKey(),
                        median(e.getValue())));
            }
        }
        System.out.printf(Locale.ROOT, "%-44s %s s%n", "PyTorch phases (median over its timed steps)", line);
        return status;
    }

    /**
     * The PyTorch side: one {@code training_bench.py serve} process (its reference log-probs and warm-up
     * steps done when it answers first), driven a step at a time over its stdin and stdout.
     */
    static final class TorchSide implements AutoCloseable {

        private final Process process;
        private final BufferedReader out;
        private final Writer in;
        private final JsonNode description;

        private TorchSide(Process process) throws IOException {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            this.description = readLine();
        }

        static TorchSide start(Options o, Path batchFile) throws IOException {
            List<String> command = List.of(o.python, o.script.toString(), "serve", o.model.toString(),
                    batchFile.toString(), "--threads", Integer.toString(o.threads), "--warmup", Integer.toString(o.warmup));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            // torch.set_num_threads sizes PyTorch's own pool; OpenBLAS (Debian's BLAS for torch) has its own.
            builder.environment().putIfAbsent("OPENBLAS_NUM_THREADS", Integer.toString(o.threads));
            Process process = builder.start();
            try {
                return new TorchSide(process);
            } catch (IOException | RuntimeException e) {
                process.destroyForcibly();
                throw e;
            }
        }

        String version() {
            return description.path("torch").asString();
        }

        int threads() {
            return description.path("threads").asInt();
        }

        long tokens() {
            return description.path("tokens").asLong();
        }

        LossAndNorm first() {
            return lossAndNorm(description.path("first_step"));
        }

        /** The starting model's {@code {π_c, π_r}} per pair, as the PyTorch side computed them. */
        double[][] reference() {
            JsonNode ref = description.path("reference");
            double[][] reference = new double[ref.size()][];
            for (int i = 0; i < reference.length; i++) {
                reference[i] = new double[] {ref.get(i).get(0).asDouble(), ref.get(i).get(1).asDouble()};
            }
            return reference;
        }

        /** One more optimizer step. */
        TorchStep step() throws IOException {
            JsonNode json = ask("step");
            Map<String, Double> phases = new LinkedHashMap<>();
            json.path("phases").properties().forEach(e -> phases.put(e.getKey(), e.getValue().asDouble()));
            return new TorchStep(json.path("seconds").asDouble(), json.path("loss").asDouble(),
                    json.path("grad_norm").asDouble(), phases);
        }

        /** The first step again, in float64 on a fresh copy of the model. */
        LossAndNorm float64() throws IOException {
            return lossAndNorm(ask("float64"));
        }

        private JsonNode ask(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
            return readLine();
        }

        private JsonNode readLine() throws IOException {
            String line = out.readLine();
            if (line == null) {
                String exit;
                try {
                    exit = process.waitFor(10, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    exit = "interrupted";
                }
                throw new IllegalStateException("the PyTorch side ended without an answer (exit " + exit + ")");
            }
            return JSON.readTree(line);
        }

        @Override
        public void close() throws IOException {
            try {
                in.write("quit\n");
                in.close();
            } catch (IOException e) {
                // already gone
            }
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static LossAndNorm lossAndNorm(JsonNode json) {
        return new LossAndNorm(json.path("loss").asDouble(), json.path("grad_norm").asDouble());
    }

    /**
     * This process's resident set from /proc/self/status: {@code VmRSS} now, and {@code VmHWM}, its peak
     * since {@link #resetPeak} (writing 5 to /proc/self/clear_refs resets it to the current size). No
     * sampling thread: one would wake up every few ms among the two engines' worker threads.
     */
    static final class Rss {

        private Rss() {
        }

        static long current() {
            return field("VmRSS:");
        }

        static long peak() {
            return field("VmHWM:");
        }

        /** Whether the peak could be reset (Linux, a writable clear_refs). */
        static boolean resetPeak() {
            try {
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
                return true;
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }

        /** A {@code kB} field of /proc/self/status in bytes, 0 where there is none (not Linux). */
        private static long field(String name) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                    if (line.startsWith(name)) {
                        return Long.parseLong(line.substring(name.length()).replace("kB", "").strip()) << 10;
                    }
                }
            } catch (IOException | RuntimeException e) {
                return 0;
            }
            return 0;
        }
    }

    private static double relative(double a, double b) {
        double scale = Math.max(Math.abs(a), Math.abs(b));
        return scale == 0 ? 0 : Math.abs(a - b) / scale;
    }

    private static void row(String label, List<Double> rates) {
        System.out.printf(Locale.ROOT, "%-44s %11.1f %10.1f %8d%n", label, median(rates), max(rates), rates.size());
    }

    private static double median(List<Double> values) {
        return TrainerGenerationBench.median(values);
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
