package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Rotary position embedding as Hugging Face applies it ({@code rotate_half} convention): for
 * positions {@code 0..L-1}, {@code x' = x·cos + rotate_half(x)·sin}, where frequency {@code i}
 * ({@code 0 ≤ i < d/2}) is {@code θ^(-2i/d)} and the angle table is repeated for both halves.
 * Input: queries {@code [B, H, L, d]} and keys {@code [B, Hkv, L, d]}; output: both rotated.
 * The angles are computed in double and rounded once to float32. No parameters.
 */
public final class RotaryEmbedding extends HfBlock {

    private final int headDim;
    private final double theta;

    public RotaryEmbedding(int headDim, double theta) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings: " + headDim);
        }
        this.headDim = headDim;
        this.theta = theta;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return rotateAt(inputs.get(0), inputs.get(1), 0);
    }

    /**
     * Rotates queries {@code [B, H, n, d]} and keys {@code [B, Hkv, n, d]} for the absolute positions
     * {@code offset .. offset+n-1} (a KV-cached decoding step starts at the cached length).
     */
    NDList rotateAt(NDArray q, NDArray k, int offset) {
        int length = Math.toIntExact(q.getShape().get(2));
        float[][] tables = cosSin(offset, length);
        Shape shape = new Shape(length, headDim);
        NDArray cos = q.getManager().create(tables[0], shape).toType(q.getDataType(), false);
        NDArray sin = q.getManager().create(tables[1], shape).toType(q.getDataType(), false);
        return new NDList(rotate(q, cos, sin), rotate(k, cos, sin));
    }

    /** {@code [cos, sin]}, each {@code L × d} row-major, for positions {@code 0..L-1}. */
    float[][] cosSin(int length) {
        return cosSin(0, length);
    }

    /** {@code [cos, sin]}, each {@code L × d} row-major, for positions {@code offset..offset+L-1}. */
    float[][] cosSin(int offset, int length) {
        int half = headDim / 2;
        float[] cos = new float[length * headDim];
        float[] sin = new float[length * headDim];
        for (int row = 0; row < length; row++) {
            long pos = (long) offset + row;
            for (int i = 0; i < half; i++) {
                double angle = pos * Math.pow(theta, -2.0 * i / headDim);
                int at = row * headDim + i;
                cos[at] = (float) Math.cos(angle);
                cos[at + half] = cos[at];
                sin[at] = (float) Math.sin(angle);
                sin[at + half] = sin[at];
            }
        }
        return new float[][] {cos, sin};
    }

    private NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        int half = headDim / 2;
        NDArray x1 = x.get("..., :" + half);
        NDArray x2 = x.get("..., " + half + ":");
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
