package org.iterpref.bench;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.iterpref.trainer.checkpoint.ModelConfig;
import org.iterpref.trainer.dpo.DpoHyperparameters;
import org.iterpref.trainer.dpo.DpoOptimizerStep;
import org.iterpref.trainer.dpo.EncodedPair;
import org.iterpref.trainer.model.DecoderModel;
import org.iterpref.trainer.model.Engines;

/**
 * Peak memory of one focal DPO training step of a 0.5B-class model (Qwen2.5-0.5B's shape: hidden
 * 896, intermediate 4864, 24 layers, 14 heads / 2 KV heads, vocab 151,936, tied; random weights,
 * float32) at one sequence length: the resident set before the step (weights, plus AdamW moments and
 * gradients after a first step) and its peak during a second step (the kernel's high-water mark,
 * reset between the two with {@code /proc/self/clear_refs}). One JVM per length
 * ({@code run-training-memory.sh} loops), so no length inherits another's allocator state.
 *
 * <p>Arguments: {@code length=N} (tokens per sequence: a quarter prompt, the rest completion with its
 * end token), {@code pairs=P} (1), {@code threads=T} (2), {@code layers=L} (24: fewer for a quick check),
 * {@code checkpointing=true|false} (gradient checkpointing per layer, default true).
 */
public final class TrainingMemoryRun {

    private TrainingMemoryRun() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs options = new BenchArgs(args);
        int length = options.integer("length", 256);
        int pairs = options.integer("pairs", 1);
        int threads = options.integer("threads", 2);
        int layers = options.integer("layers", 24);
        boolean checkpointing = Boolean.parseBoolean(options.string("checkpointing", "true"));
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Path dir = Files.createTempDirectory("iterpref-memory-model");
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
                 "intermediate_size": 4864, "num_hidden_layers": %d, "num_attention_heads": 14,
                 "num_key_value_heads": 2, "vocab_size": 151936, "max_position_embeddings": 32768,
                 "rope_theta": 1000000.0, "rms_norm_eps": 1e-6, "tie_word_embeddings": true,
                 "sliding_window": 32768, "use_sliding_window": false, "max_window_layers": 21,
                 "hidden_act": "silu", "torch_dtype": "bfloat16"}
                """.formatted(layers));
        ModelConfig config = ModelConfig.read(dir);
        try (NDManager manager = Engines.newCpuManager();
             DecoderModel model = DecoderModel.random(config, manager, 1)) {
            long parameters = model.parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
            model.enableGradients();
            List<EncodedPair> batch = pairs(pairs, length, config.vocabSize());
            DpoHyperparameters hp = new DpoHyperparameters(1, pairs, 1, 1e-5, 0.1, true, 1.0, length + 1,
                    length / 4, 0, 1.0, 0, 0, null, null);
            try (DpoOptimizerStep step = new DpoOptimizerStep(model, 0, hp, manager, checkpointing)) {
                double[][] reference = step.sequenceLogProbs(batch);
                long started = System.nanoTime();
                step.run(batch, reference, 1e-5);
                double firstSeconds = (System.nanoTime() - started) / 1e9;
                long before = kib("VmRSS");
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
                started = System.nanoTime();
                DpoOptimizerStep.Outcome outcome = step.run(batch, reference, 1e-5);
                double seconds = (System.nanoTime() - started) / 1e9;
                long peak = kib("VmHWM");
                System.out.printf(Locale.ROOT, "length=%d checkpointing=%s pairs=%d layers=%d parameters=%d tokens=%d "
                                + "rss_before_step_mib=%.0f peak_during_step_mib=%.0f step_growth_mib=%.0f "
                                + "first_step_s=%.1f step_s=%.1f loss=%.4f%n", length, checkpointing, pairs, layers, parameters,
                        outcome.tokens(), before / 1024.0, peak / 1024.0, (peak - before) / 1024.0, firstSeconds,
                        seconds, outcome.loss());
            }
        }
    }

    private static List<EncodedPair> pairs(int count, int length, int vocab) {
        Random random = new Random(42);
        int prompt = length / 4;
        int completion = length - prompt;
        List<EncodedPair> pairs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean[] focal = new boolean[completion];
            for (int t = completion / 2; t < completion / 2 + completion / 4; t++) {
                focal[t] = true;
            }
            pairs.add(new EncodedPair(i, ids(random, prompt, vocab), ids(random, completion, vocab),
                    ids(random, completion, vocab), focal, false));
        }
        return pairs;
    }

    private static long[] ids(Random random, int n, int vocab) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextInt(vocab);
        }
        return ids;
    }

    private static long kib(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException(field + " not in /proc/self/status");
    }
}
