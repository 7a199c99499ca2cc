package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Greedy decoding, with a {@link KvCache} (prefill, then one token per step) or — as a reference —
 * by recomputing the whole prefix each step. Each step runs in its own scope under the weights'
 * manager, so per-step intermediates are freed; only the cache survives between steps.
 */
final class GreedyDecoder {

    /** The new ids, and the logits {@code [vocab]} of the last step (the one that chose the last id). */
    record Trace(long[] newIds, float[] lastLogits) {
    }

    private GreedyDecoder() {
    }

    /** Greedy decoding with a KV cache. */
    static Trace cached(CausalLm block, NDManager weights, long[] promptIds, int maxNewTokens) {
        check(promptIds, maxNewTokens);
        long[] out = new long[maxNewTokens];
        float[] last = new float[0];
        try (DecodingSession session = new DecodingSession(block, weights, Integer.MAX_VALUE)) {
            long[] step = promptIds;
            for (int i = 0; i < maxNewTokens; i++) {
                last = session.feed(step);
                out[i] = Logits.argmax(last);
                step = new long[] {out[i]};
            }
        }
        return new Trace(out, last);
    }

    /** Greedy decoding without a cache: a full forward pass over the prefix each step. */
    static Trace uncached(DecoderModel model, long[] promptIds, int maxNewTokens) {
        check(promptIds, maxNewTokens);
        long[] prefix = promptIds.clone();
        float[] last = new float[0];
        for (int i = 0; i < maxNewTokens; i++) {
            try (NDManager scope = model.weightsManager().newSubManager()) {
                Shape shape = new Shape(1, prefix.length);
                NDArray ids = scope.create(prefix, shape);
                NDArray logits = model.logits(ids, scope.ones(shape, ids.getDataType()));
                last = logits.get("0, -1, :").toFloatArray();
            }
            prefix = Arrays.copyOf(prefix, prefix.length + 1);
            prefix[prefix.length - 1] = Logits.argmax(last);
        }
        return new Trace(Arrays.copyOfRange(prefix, promptIds.length, prefix.length), last);
    }

    private static void check(long[] promptIds, int maxNewTokens) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt must not be empty");
        }
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0: " + maxNewTokens);
        }
    }
}
