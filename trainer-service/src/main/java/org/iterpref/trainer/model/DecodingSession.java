package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * Incremental decoding of one sequence with a {@link KvCache}: {@link #feed} the prompt once, then
 * each chosen token; every call returns the next-token logits after the last fed position. Each
 * call runs in its own scope under the weights' manager, so only the cache survives between calls;
 * {@link #close} frees it. Not thread-safe: one session per sequence (the model itself is shared).
 */
public final class DecodingSession implements AutoCloseable {

    private final CausalLm block;
    private final NDManager weights;
    private final KvCache cache;
    private final int maxLength;

    DecodingSession(CausalLm block, NDManager weights, int maxLength) {
        this.block = block;
        this.weights = weights;
        this.cache = new KvCache(block.layerCount(), weights);
        this.maxLength = maxLength;
    }

    /**
     * Appends {@code ids} (at positions {@link #length()} onwards) and returns the logits
     * {@code [vocab]} float32 predicting the token after the last of them.
     */
    public float[] feed(long... ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("nothing to feed");
        }
        if ((long) cache.length() + ids.length > maxLength) {
            throw new IllegalArgumentException("the sequence would exceed the model's " + maxLength
                    + " positions: " + cache.length() + " + " + ids.length);
        }
        try (NDManager scope = weights.newSubManager()) {
            NDArray input = scope.create(ids, new Shape(1, ids.length));
            NDArray logits = block.forwardCached(new ParameterStore(scope, false), input, cache);
            return logits.get("0, -1, :").toFloatArray();
        }
    }

    /** How many positions have been fed. */
    public int length() {
        return cache.length();
    }

    /** Frees the cache. */
    @Override
    public void close() {
        cache.close();
    }
}
