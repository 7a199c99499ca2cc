package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** The additive attention mask: causal, combined with a right- or left-padding mask over keys. */
final class AttentionMasks {

    /** Added to the score of a masked key: exp of it underflows to 0 in float32. */
    static final float MASKED = -1e9f;

    private AttentionMasks() {
    }

    /**
     * {@code [B, 1, L, L]} float32: 0 where query {@code i} may attend key {@code j} ({@code j ≤ i}
     * and {@code attentionMask[b, j] = 1}), {@link #MASKED} elsewhere. Arrays are created in
     * {@code attentionMask}'s manager.
     */
    static NDArray additive(NDArray attentionMask) {
        NDManager manager = attentionMask.getManager();
        long batch = attentionMask.getShape().get(0);
        long length = attentionMask.getShape().get(1);
        NDArray positions = manager.arange(0, length, 1, DataType.INT64);
        NDArray causal = positions.reshape(1, length).lte(positions.reshape(length, 1));
        NDArray keys = attentionMask.toType(DataType.BOOLEAN, false).reshape(batch, 1, 1, length);
        NDArray allowed = keys.logicalAnd(causal.reshape(1, 1, length, length));
        return allowed.toType(DataType.FLOAT32, false).sub(1f).mul(-MASKED);
    }

    /**
     * {@code [1, 1, n, T]} float32 for {@code n} queries at absolute positions {@code T-n .. T-1}
     * over {@code T} keys at {@code 0 .. T-1} (one unpadded sequence): 0 where key {@code j <= } the
     * query's position, {@link #MASKED} elsewhere. Created in {@code manager}.
     */
    static NDArray causalAt(NDManager manager, long queries, long keys) {
        long offset = keys - queries;
        NDArray keyPos = manager.arange(0, keys, 1, DataType.INT64).reshape(1, keys);
        NDArray queryPos = manager.arange(offset, keys, 1, DataType.INT64).reshape(queries, 1);
        NDArray allowed = keyPos.lte(queryPos).reshape(1, 1, queries, keys);
        return allowed.toType(DataType.FLOAT32, false).sub(1f).mul(-MASKED);
    }
}
