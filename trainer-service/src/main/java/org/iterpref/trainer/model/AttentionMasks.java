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
}
