package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Arrays;
import org.iterpref.trainer.checkpoint.ModelConfig;

/**
 * Rotary position embedding as Hugging Face applies it ({@code rotate_half} convention): for
 * positions {@code 0..L-1}, {@code x' = x·cos + rotate_half(x)·sin}, where the angle of position
 * {@code p} and frequency {@code i} ({@code 0 ≤ i < d/2}) is {@code p · inv_freq[i]} and the angle
 * table is repeated for both halves. Plain RoPE has {@code inv_freq[i] = θ^(-2i/d)}; a config's
 * rope scaling changes those ({@link #of}). Input: queries {@code [B, H, L, d]} and keys
 * {@code [B, Hkv, L, d]}; output: both rotated. Frequencies and angles are computed in double and
 * the tables rounded once to float32. No parameters.
 */
public final class RotaryEmbedding extends HfBlock {

    private final int headDim;
    private final double[] inverseFrequencies;

    /** Plain RoPE with base {@code theta}. */
    public RotaryEmbedding(int headDim, double theta) {
        this(plainInverseFrequencies(headDim, theta));
    }

    /** RoPE with the given {@code d/2} inverse frequencies (radians per position). */
    public RotaryEmbedding(double[] inverseFrequencies) {
        if (inverseFrequencies.length == 0) {
            throw new IllegalArgumentException("rotary embeddings need at least one frequency");
        }
        this.headDim = 2 * inverseFrequencies.length;
        this.inverseFrequencies = inverseFrequencies.clone();
    }

    /** The rotary embedding {@code config} describes: {@code rope_theta}, scaled as its {@code rope_scaling} says. */
    public static RotaryEmbedding of(ModelConfig config) {
        double[] plain = plainInverseFrequencies(config.headDim(), config.ropeTheta());
        return new RotaryEmbedding(config.ropeScaling().apply(plain));
    }

    /** {@code θ^(-2i/d)} for {@code 0 ≤ i < d/2}. */
    static double[] plainInverseFrequencies(int headDim, double theta) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be positive and even for rotary embeddings: " + headDim);
        }
        double[] inverse = new double[headDim / 2];
        for (int i = 0; i < inverse.length; i++) {
            inverse[i] = Math.pow(theta, -2.0 * i / headDim);
        }
        return inverse;
    }

    /** A copy of the inverse frequencies this embedding rotates by. */
    double[] inverseFrequencies() {
        return inverseFrequencies.clone();
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
        try (Tables tables = tables(q.getManager(), offset, length, q.getDataType())) {
            return rotate(q, k, tables);
        }
    }

    /** Rotates queries and keys with {@code tables} (made by {@link #tables} for their positions). */
    NDList rotate(NDArray q, NDArray k, Tables tables) {
        return new NDList(rotate(q, tables), rotate(k, tables));
    }

    /**
     * The angle tables for positions {@code offset .. offset+n-1}, in {@code manager}, in
     * {@code dtype} (the queries' type). One decoding step makes them once and every layer reuses
     * them ({@link KvCache#rotaryTables}).
     */
    Tables tables(NDManager manager, int offset, int length, DataType dtype) {
        float[][] tables = cosSin(offset, length);
        NDArray cos = table(manager, tables[0], new Shape(length, headDim), dtype);
        NDArray sin = length == 1 ? table(manager, rotateHalfTimesSin(tables[1]), new Shape(headDim, headDim), dtype)
                : table(manager, tables[1], new Shape(length, headDim), dtype);
        return new Tables(this, offset, length, cos, sin);
    }

    /** {@code values} as an array of {@code dtype} in {@code manager} (no float32 copy left behind). */
    private static NDArray table(NDManager manager, float[] values, Shape shape, DataType dtype) {
        // a copy PyTorch owns: the tables are closed after each use, but a training step's autograd
        // graph keeps them for backward, and an array made from Java data frees that data with it
        try (NDArray table = manager.create(values, shape)) {
            return table.getDataType() == dtype ? table.duplicate() : table.toType(dtype, true);
        }
    }

    /**
     * The cos table {@code [n, d]} and, for several positions, the sin table {@code [n, d]}; for one
     * position ({@code n = 1}, each step after the prefill) instead the matrix {@code T [d, d]} with
     * {@code x·T = rotate_half(x)·sin}: column {@code j} holds {@code -sin[j]} in row {@code j+d/2}
     * ({@code j < d/2}) or {@code sin[j]} in row {@code j-d/2}, zeros elsewhere. Each element of
     * {@code x·T} is then one product {@code ±x[i]·sin[j]} plus exact zeros, bit for bit what
     * {@code rotate_half} followed by a multiplication gives, in one operation instead of five.
     */
    record Tables(RotaryEmbedding rotary, int offset, int length, NDArray cos, NDArray sin) implements AutoCloseable {

        /** Whether these are {@code other}'s tables for positions {@code at .. at+n-1} in {@code dtype}. */
        boolean covers(RotaryEmbedding other, int at, int n, DataType dtype) {
            return offset == at && length == n && cos.getDataType() == dtype
                    && Arrays.equals(rotary.inverseFrequencies, other.inverseFrequencies);
        }

        @Override
        public void close() {
            cos.close();
            sin.close();
        }
    }

    /** {@code T [d, d]} row-major for one position's sin row (see {@link Tables}). */
    private float[] rotateHalfTimesSin(float[] sin) {
        int half = headDim / 2;
        float[] t = new float[headDim * headDim];
        for (int j = 0; j < half; j++) {
            t[(j + half) * headDim + j] = -sin[j];
        }
        for (int j = half; j < headDim; j++) {
            t[(j - half) * headDim + j] = sin[j];
        }
        return t;
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
                double angle = pos * inverseFrequencies[i];
                int at = row * headDim + i;
                cos[at] = (float) Math.cos(angle);
                cos[at + half] = cos[at];
                sin[at] = (float) Math.sin(angle);
                sin[at + half] = sin[at];
            }
        }
        return new float[][] {cos, sin};
    }

    private NDArray rotate(NDArray x, Tables tables) {
        if (tables.length() == 1) {
            return x.mul(tables.cos()).add(x.matMul(tables.sin()));
        }
        int half = headDim / 2;
        NDArray x1 = x.get("..., :" + half);
        NDArray x2 = x.get("..., " + half + ":");
        NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
        return x.mul(tables.cos()).add(rotated.mul(tables.sin()));
    }
}
