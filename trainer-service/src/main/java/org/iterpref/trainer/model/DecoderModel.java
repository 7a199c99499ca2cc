package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.iterpref.trainer.checkpoint.Checkpoint;
import org.iterpref.trainer.checkpoint.HfCheckpointWriter;
import org.iterpref.trainer.checkpoint.ModelConfig;
import org.iterpref.trainer.checkpoint.NamedWeights;
import org.iterpref.trainer.checkpoint.TorchDtype;

/**
 * A Qwen2 / Llama decoder from a Hugging Face model directory, on DJL's PyTorch engine, float32.
 *
 * <p>{@link #load} reads {@code config.json}, verifies the checkpoint against it (every implied
 * tensor present with the implied shape), and fills a {@link CausalLm} block tree by HF name;
 * the weights live in a sub-manager of the caller's manager and are freed with it (or by
 * {@link #close}). {@link #logits} runs one forward pass in its own scope, so the intermediate
 * arrays are freed per call and only the logits stay, in the input ids' manager.
 */
public final class DecoderModel implements AutoCloseable {

    private final ModelConfig config;
    private final CausalLm block;
    private final NDManager weights;
    private final DataType dtype;

    private DecoderModel(ModelConfig config, CausalLm block, NDManager weights, DataType dtype) {
        this.config = config;
        this.block = block;
        this.weights = weights;
        this.dtype = dtype;
    }

    /** The weights' type: float32 or float16 (logits are float32 either way). */
    public DataType dataType() {
        return dtype;
    }

    /** Where the weights live. */
    public ai.djl.Device device() {
        return weights.getDevice();
    }

    /** Loads the model in {@code dir} into a sub-manager of {@code manager}. */
    public static DecoderModel load(Path dir, NDManager manager) {
        return load(dir, manager, DataType.FLOAT32);
    }

    /**
     * Loads the model in {@code dir} into a sub-manager of {@code manager} (on its device), its
     * weights in {@code dtype}: float32, or float16 for GPU serving (norms, attention scores,
     * softmax and logits are still computed in float32). DJL 0.36's PyTorch JNI has no bfloat16.
     */
    public static DecoderModel load(Path dir, NDManager manager, DataType dtype) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute type must be float32 or float16, not " + dtype);
        }
        Engines.goOffline();
        ModelConfig config = ModelConfig.read(dir);
        CausalLm block = new CausalLm(config);
        NDManager weights = manager.newSubManager();
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            checkpoint.verify(config);
            HfWeights.load(block, checkpoint, weights, dtype);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
        return new DecoderModel(config, block, weights, dtype);
    }

    /** The configuration read from {@code config.json}. */
    public ModelConfig config() {
        return config;
    }

    /** The block tree (children named as in the checkpoint). */
    public CausalLm block() {
        return block;
    }

    /**
     * The weights under their Hugging Face names, each read back as float32 on the host when asked
     * (their current values, e.g. after training steps).
     */
    public NamedWeights namedWeights() {
        return new BlockWeights(block);
    }

    /**
     * Writes this model as a Hugging Face checkpoint into the new directory {@code targetDir}: its
     * weights as {@code dtype}, with the config and tokenizer files of {@code sourceDir}, the model
     * it was loaded from (see {@link HfCheckpointWriter}).
     */
    public Path save(Path sourceDir, Path targetDir, TorchDtype dtype) {
        return HfCheckpointWriter.write(namedWeights(), sourceDir, targetDir, dtype);
    }

    /**
     * Logits {@code [B, L, vocab]} float32 for {@code inputIds [B, L]} (int64) under
     * {@code attentionMask [B, L]} (1 = token, 0 = padding), positions {@code 0..L-1}. Logits at
     * padded positions are computed but meaningless. The result belongs to {@code inputIds}' manager.
     */
    public NDArray logits(NDArray inputIds, NDArray attentionMask) {
        checkInputs(inputIds, attentionMask);
        NDManager caller = inputIds.getManager();
        try (NDManager scope = weights.newSubManager()) {
            NDArray logits = forward(scope, inputIds, attentionMask);
            logits.attach(caller);
            return logits;
        }
    }

    /**
     * Per-token log-probabilities {@code [B, L-1]} float32: column {@code t} is
     * {@code log p(inputIds[:, t+1] | inputIds[:, ..t])}, the target's logit minus the logsumexp of
     * its position's logits, computed a chunk of positions at a time ({@link LabelLogProbs}), never
     * as {@code [B, L, vocab]} logits. Columns whose target or context is padding are computed but
     * meaningless. No gradients. The result belongs to {@code inputIds}' manager.
     */
    public NDArray tokenLogProbs(NDArray inputIds, NDArray attentionMask) {
        checkInputs(inputIds, attentionMask);
        long batch = inputIds.getShape().get(0);
        long length = inputIds.getShape().get(1);
        if (length < 2) {
            throw new IllegalArgumentException("need at least 2 positions for token log-probs: " + inputIds.getShape());
        }
        long[] ids = inputIds.toLongArray();
        long[] rows = new long[Math.toIntExact(batch * (length - 1))];
        long[] targets = new long[rows.length];
        int n = 0;
        for (long b = 0; b < batch; b++) {
            for (long t = 0; t + 1 < length; t++) {
                rows[n] = b * length + t;
                targets[n++] = ids[Math.toIntExact(b * length + t + 1)];
            }
        }
        float[] values;
        try (Autograd.NoGrad ignored = Autograd.noGrad(); NDManager scope = weights.newSubManager();
             LabelLogProbs logProbs = labelLogProbs(scope, inputIds, attentionMask, rows, targets, false)) {
            values = logProbs.values();
        }
        return inputIds.getManager().create(values, new Shape(batch, length - 1));
    }

    /**
     * The log-probabilities of {@code targets[i]} at flattened position {@code rows[i]} ({@code b·L + t},
     * the position that predicts it) of {@code inputIds [B, L]}, in {@code scope}. With
     * {@code training} (inside a {@code GradientCollector}, on a model whose weights record
     * gradients) the result can back-propagate a loss ({@link LabelLogProbs#backward}); without, run
     * it under {@link Autograd#noGrad()}.
     */
    public LabelLogProbs labelLogProbs(NDManager scope, NDArray inputIds, NDArray attentionMask, long[] rows,
                                       long[] targets, boolean training) {
        return labelLogProbs(scope, inputIds, attentionMask, rows, targets, training, LabelLogProbs.CHUNK_ELEMENTS,
                LabelLogProbs.KEEP_ELEMENTS);
    }

    /**
     * As above with at most {@code chunkElements} logits per chunk, keeping them between forward and
     * backward only when all of them fit in {@code keepElements} (tests use small values).
     */
    public LabelLogProbs labelLogProbs(NDManager scope, NDArray inputIds, NDArray attentionMask, long[] rows,
                                       long[] targets, boolean training, long chunkElements, long keepElements) {
        return labelLogProbs(scope, inputIds, attentionMask, rows, targets, training, false, chunkElements,
                keepElements);
    }

    /**
     * As above; with {@code checkpointing} (and {@code training}) the decoder layers are
     * gradient-checkpointed ({@link CheckpointedStack}): activation memory linear in the length, one
     * more forward pass of compute.
     */
    public LabelLogProbs labelLogProbs(NDManager scope, NDArray inputIds, NDArray attentionMask, long[] rows,
                                       long[] targets, boolean training, boolean checkpointing, long chunkElements,
                                       long keepElements) {
        checkInputs(inputIds, attentionMask);
        if (rows.length != targets.length) {
            throw new IllegalArgumentException(rows.length + " rows but " + targets.length + " targets");
        }
        // copies PyTorch owns: autograd keeps the ids for the embedding's backward (see Autograd)
        NDArray ids = owned(inputIds);
        ids.attach(scope);
        NDArray mask = owned(attentionMask.toType(DataType.INT64, false));
        mask.attach(scope);
        ParameterStore store = new ParameterStore(scope, false);
        NDArray head = store.getValue(block.headWeight(), weights.getDevice(), training);
        if (training && checkpointing) {
            CheckpointedStack stack = new CheckpointedStack(block.stack(), store, scope, ids, mask);
            return new LabelLogProbs(scope, stack.normed(), head, rows, targets, chunkElements, keepElements,
                    stack::backward);
        }
        NDArray hidden = block.hidden(store, ids, mask, training);
        return new LabelLogProbs(scope, hidden, head, rows, targets, chunkElements, keepElements, null);
    }

    /**
     * Marks every weight as recording gradients, through DJL's own {@code Block.initialize} (the
     * weights are already filled, so it only marks them). For a model loaded to be trained; a served
     * model never records.
     */
    public void enableGradients() {
        block.initialize(weights, DataType.FLOAT32, new Shape(1, 1), new Shape(1, 1));
    }

    /** Every weight by Hugging Face name, in checkpoint order (the live arrays: do not close them). */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        HfParameters.named(block).forEach((name, parameter) -> arrays.put(name, parameter.getArray()));
        return arrays;
    }

    /**
     * A model of {@code config}'s shape with fresh random weights ({@code N(0, 0.02²)}, zero biases,
     * unit norms; deterministic for a seed), float32, for benchmarks and memory measurements.
     */
    public static DecoderModel random(ModelConfig config, NDManager manager, long seed) {
        Engines.goOffline();
        CausalLm block = new CausalLm(config);
        NDManager weights = manager.newSubManager();
        try {
            RandomWeights.fill(block, config, weights, 0.02, seed);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
        return new DecoderModel(config, block, weights, DataType.FLOAT32);
    }

    /**
     * For a single sequence {@code ids}: {@code log p(ids[t+1] | ids[..t])} for every {@code t}, and
     * when {@code topK > 0} the {@code topK} most likely tokens at each of those positions with their
     * log-probs (float32 log-softmax, as {@link #tokenLogProbs}).
     */
    public PromptLogProbs promptLogProbs(long[] ids, int topK) {
        if (ids.length < 2) {
            return new PromptLogProbs(new float[0], new long[0][], new float[0][]);
        }
        try (NDManager scope = weights.newSubManager()) {
            Shape shape = new Shape(1, ids.length);
            NDArray input = scope.create(ids, shape);
            NDArray logProbs = forward(scope, input, scope.ones(shape, DataType.INT64))
                    .get("0, :-1, :").logSoftmax(-1);
            NDArray targets = input.get("0, 1:").expandDims(-1);
            float[] chosen = logProbs.gather(targets, -1).squeeze(-1).toFloatArray();
            int positions = ids.length - 1;
            long[][] topIds = new long[positions][];
            float[][] topValues = new float[positions][];
            Arrays.fill(topIds, new long[0]);
            Arrays.fill(topValues, new float[0]);
            if (topK > 0) {
                int k = Math.min(topK, config.vocabSize());
                NDList top = logProbs.topK(k, -1, true, true);
                float[] values = top.get(0).toFloatArray();
                long[] indices = top.get(1).toType(DataType.INT64, false).toLongArray();
                for (int t = 0; t < positions; t++) {
                    topValues[t] = Arrays.copyOfRange(values, t * k, (t + 1) * k);
                    topIds[t] = Arrays.copyOfRange(indices, t * k, (t + 1) * k);
                }
            }
            return new PromptLogProbs(chosen, topIds, topValues);
        }
    }

    /**
     * A new KV-cached decoding session on this model (close it to free its cache). Sessions run
     * concurrently; each holds its own cache.
     */
    public DecodingSession newSession() {
        return new DecodingSession(block, weights, config.maxPositionEmbeddings());
    }

    /**
     * Greedy continuation of {@code promptIds}: {@code maxNewTokens} new token ids (no EOS stop),
     * with a {@link KvCache} — the prompt is prefilled once, then one token per step.
     */
    public long[] generateGreedy(long[] promptIds, int maxNewTokens) {
        return GreedyDecoder.cached(block, weights, promptIds, maxNewTokens).newIds();
    }

    /**
     * Greedy continuation without a cache: a full forward pass over the whole prefix each step. The
     * reference the KV-cached decoder is checked and benchmarked against.
     */
    public long[] generateGreedyUncached(long[] promptIds, int maxNewTokens) {
        return GreedyDecoder.uncached(this, promptIds, maxNewTokens).newIds();
    }

    /** Logits in {@code scope} for a copy of the inputs there. */
    private NDArray forward(NDManager scope, NDArray inputIds, NDArray attentionMask) {
        NDArray ids = inputIds.toDevice(weights.getDevice(), true);
        ids.attach(scope);
        NDArray mask = attentionMask.toType(DataType.INT64, true).toDevice(weights.getDevice(), false);
        mask.attach(scope);
        ParameterStore store = new ParameterStore(scope, false);
        return block.forward(store, new NDList(ids, mask), false).head();
    }

    /**
     * The accumulated gradient of every weight by name (views of the gradients themselves: scaling
     * one in place scales the weight's gradient), their handles owned by {@code scope}. Call after
     * a backward pass on a model with {@link #enableGradients()}.
     */
    public Map<String, NDArray> gradients(NDManager scope) {
        Map<String, NDArray> gradients = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> entry : parameters().entrySet()) {
            NDArray gradient = entry.getValue().getGradient();
            gradient.attach(scope);
            gradients.put(entry.getKey(), gradient);
        }
        return gradients;
    }

    /** Resets every weight's accumulated gradient to zero (after an optimizer step). */
    public void zeroGradients() {
        for (NDArray parameter : parameters().values()) {
            Autograd.zeroGradient(parameter);
        }
    }

    /** A copy of {@code array} on the weights' device that PyTorch owns. */
    private NDArray owned(NDArray array) {
        return array.getDevice().equals(weights.getDevice()) ? array.duplicate()
                : array.toDevice(weights.getDevice(), true);
    }

    /** A new scope for one call's arrays (closed by the caller), under the weights' manager. */
    public NDManager newScope() {
        return weights.newSubManager();
    }

    /** The name of the DJL engine the weights live on (for its gradient collector). */
    public String engineName() {
        return weights.getEngine().getEngineName();
    }

    /** The manager holding the weights (parent of per-call scopes). */
    NDManager weightsManager() {
        return weights;
    }

    private void checkInputs(NDArray inputIds, NDArray attentionMask) {
        if (inputIds.getShape().dimension() != 2 || !inputIds.getShape().equals(attentionMask.getShape())) {
            throw new IllegalArgumentException("input_ids " + inputIds.getShape() + " and attention_mask "
                    + attentionMask.getShape() + " must both be [batch, length]");
        }
        if (inputIds.getDataType() != DataType.INT64) {
            throw new IllegalArgumentException("input_ids must be int64, not " + inputIds.getDataType());
        }
    }

    /** Whether the weights are still loaded (false once closed). */
    public boolean isOpen() {
        return weights.isOpen();
    }

    /** Native arrays this model holds now: its weights plus any live caches and per-call scratch. */
    public int liveArrays() {
        return weights.isOpen() ? weights.getManagedArrays().size() : 0;
    }

    /** Frees the weights. */
    @Override
    public void close() {
        weights.close();
    }
}
