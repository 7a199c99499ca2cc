package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.iterpref.trainer.checkpoint.ModelConfig;

/**
 * {@code self_attn}: multi-head causal attention with grouped-query key/value heads (each KV head
 * repeated for {@code heads / kvHeads} query heads) and rotary positions. Children as in Hugging
 * Face: {@code q_proj}, {@code k_proj}, {@code v_proj} (biased for Qwen2), {@code o_proj}.
 * Input: hidden {@code [B, L, hidden]} and an additive mask {@code [B, 1, L, L]} (0 where a query
 * may attend a key, a large negative number elsewhere); output {@code [B, L, hidden]}.
 */
public final class CausalSelfAttention extends HfBlock {

    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final Projection qProj;
    private final Projection kProj;
    private final Projection vProj;
    private final Projection oProj;
    private final RotaryEmbedding rotary;

    public CausalSelfAttention(ModelConfig config) {
        this.heads = config.numAttentionHeads();
        this.kvHeads = config.numKeyValueHeads();
        this.headDim = config.headDim();
        boolean bias = config.architecture().qkvBias();
        this.qProj = addChildBlock("q_proj", new Projection(bias));
        this.kProj = addChildBlock("k_proj", new Projection(bias));
        this.vProj = addChildBlock("v_proj", new Projection(bias));
        this.oProj = addChildBlock("o_proj", new Projection(false));
        this.rotary = addChildBlock("rotary_emb", RotaryEmbedding.of(config));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return attend(store, inputs.get(0), inputs.get(1), null, 0, training);
    }

    /**
     * Attention of {@code x [B, n, hidden]} at absolute positions {@code offset..offset+n-1}. With a
     * {@code cache}, this step's rotated keys and values are appended to layer {@code layer}'s entry
     * and the queries attend the whole cached prefix; {@code maskBias} is then {@code [B, 1, n, T]}
     * over all {@code T} cached keys, or null for a single new position (which attends them all).
     */
    NDArray attendCached(ParameterStore store, NDArray x, NDArray maskBias, KvCache cache, int layer) {
        return attend(store, x, maskBias, cache, layer, false).head();
    }

    private NDList attend(ParameterStore store, NDArray x, NDArray maskBias, KvCache cache, int layer,
                          boolean training) {
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        if (cache != null && batch == 1 && length == 1) {
            return attendOne(store, x, cache, layer);
        }
        NDArray q = splitHeads(qProj.forward(store, new NDList(x), training).head(), heads);
        NDArray k = splitHeads(kProj.forward(store, new NDList(x), training).head(), kvHeads);
        NDArray v = splitHeads(vProj.forward(store, new NDList(x), training).head(), kvHeads);
        NDList rotated = cache == null ? rotary.rotateAt(q, k, 0)
                : rotary.rotate(q, k, cache.rotaryTables(rotary, Math.toIntExact(length), q.getDataType()));
        q = rotated.get(0);
        k = rotated.get(1);
        if (cache != null) {
            NDList full = cache.append(layer, k, v);
            k = full.get(0);
            v = full.get(1);
        }
        k = repeatKv(k);
        v = repeatKv(v);
        // scores, mask and softmax in float32 whatever the compute type (as transformers' eager attention)
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).toType(DataType.FLOAT32, false);
        // not div(float): DJL makes that a tensor over a Java buffer and closes it at once, while a
        // training step's autograd keeps the divisor for backward (see Autograd)
        try (NDArray divisor = Autograd.scalar(scores.getManager(), (float) Math.sqrt(headDim))) {
            scores = scores.div(divisor);
        }
        if (maskBias != null) {
            scores = scores.add(maskBias);
        }
        NDArray context = scores.softmax(-1).toType(v.getDataType(), false).matMul(v)
                .transpose(0, 2, 1, 3).reshape(batch, length, (long) heads * headDim);
        return oProj.forward(store, new NDList(context), training);
    }

    /**
     * One new position of one sequence ({@code x [1, 1, hidden]}, every decoding step after the
     * prefill) against the cache: the numbers of {@link #attend}, bit for bit, with fewer operations.
     * With a single position, splitting heads is one reshape (no transpose) and merging them back is
     * one reshape, and no mask is needed. The values are not repeated per query head: the attention
     * weights of KV head {@code j}'s query heads ({@code j·r .. j·r+r-1}) are stacked as {@code r}
     * rows against its values, which sums each output as the repeated form does. (The keys are still
     * repeated: several query rows in one product with the keys would sum the scores in another order.)
     */
    private NDList attendOne(ParameterStore store, NDArray x, KvCache cache, int layer) {
        NDArray q = qProj.forward(store, new NDList(x), false).head().reshape(1, heads, 1, headDim);
        NDArray k = kProj.forward(store, new NDList(x), false).head().reshape(1, kvHeads, 1, headDim);
        NDArray v = vProj.forward(store, new NDList(x), false).head().reshape(1, kvHeads, 1, headDim);
        NDList rotated = rotary.rotate(q, k, cache.rotaryTables(rotary, 1, q.getDataType()));
        NDList full = cache.append(layer, rotated.get(1), v);
        NDArray keys = repeatKv(full.get(0));
        NDArray values = full.get(1);
        NDArray scores = rotated.get(0).matMul(keys.transpose(0, 1, 3, 2)).toType(DataType.FLOAT32, false)
                .div((float) Math.sqrt(headDim));
        // [1, H, 1, T] -> [1, Hkv, r, T]: the r query heads of KV head j weigh its values in one product
        NDArray weights = scores.softmax(-1).toType(values.getDataType(), false)
                .reshape(1, kvHeads, heads / kvHeads, values.getShape().get(2));
        NDArray context = weights.matMul(values).reshape(1, 1, (long) heads * headDim);
        return oProj.forward(store, new NDList(context), false);
    }

    /** {@code [B, L, n·d]} → {@code [B, n, L, d]}. */
    private NDArray splitHeads(NDArray x, int n) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), n, headDim).transpose(0, 2, 1, 3);
    }

    /** {@code [B, Hkv, L, d]} → {@code [B, H, L, d]}, KV head {@code j} serving query heads {@code j·r .. j·r+r-1}. */
    private NDArray repeatKv(NDArray x) {
        int repeats = heads / kvHeads;
        if (repeats == 1) {
            return x;
        }
        Shape s = x.getShape();
        return x.expandDims(2).broadcast(new Shape(s.get(0), kvHeads, repeats, s.get(2), headDim))
                .reshape(s.get(0), heads, s.get(2), headDim);
    }
}
