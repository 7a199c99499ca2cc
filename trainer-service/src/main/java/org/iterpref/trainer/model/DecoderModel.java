package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Arrays;
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
     * {@code log p(inputIds[:, t+1] | inputIds[:, ..t])}, i.e. {@code log_softmax(logits[:, :-1])}
     * (numerically stable, float32) gathered at {@code inputIds[:, 1:]}. Columns whose target or
     * context is padding are computed but meaningless. The result belongs to {@code inputIds}' manager.
     */
    public NDArray tokenLogProbs(NDArray inputIds, NDArray attentionMask) {
        checkInputs(inputIds, attentionMask);
        if (inputIds.getShape().get(1) < 2) {
            throw new IllegalArgumentException("need at least 2 positions for token log-probs: " + inputIds.getShape());
        }
        NDManager caller = inputIds.getManager();
        try (NDManager scope = weights.newSubManager()) {
            NDArray logits = forward(scope, inputIds, attentionMask);
            NDArray logProbs = logits.get(":, :-1, :").logSoftmax(-1);
            NDArray targets = inputIds.get(":, 1:").toDevice(weights.getDevice(), true);
            targets.attach(scope);
            NDArray gathered = logProbs.gather(targets.expandDims(-1), -1).squeeze(-1);
            gathered.attach(caller);
            return gathered;
        }
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
