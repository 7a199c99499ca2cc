package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.iterpref.trainer.checkpoint.ModelConfig;

/**
 * {@code model.layers.N}: pre-norm residual block,
 * {@code h = x + self_attn(input_layernorm(x)); out = h + mlp(post_attention_layernorm(h))}.
 * Input: hidden {@code [B, L, hidden]} and the additive attention mask; output: hidden.
 */
public final class DecoderLayer extends HfBlock {

    private final RmsNorm inputNorm;
    private final CausalSelfAttention attention;
    private final RmsNorm postAttentionNorm;
    private final SwiGluMlp mlp;

    public DecoderLayer(ModelConfig config) {
        this.inputNorm = addChildBlock("input_layernorm", new RmsNorm(config.rmsNormEps()));
        this.attention = addChildBlock("self_attn", new CausalSelfAttention(config));
        this.postAttentionNorm = addChildBlock("post_attention_layernorm", new RmsNorm(config.rmsNormEps()));
        this.mlp = addChildBlock("mlp", new SwiGluMlp());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray maskBias = inputs.get(1);
        NDArray normed = inputNorm.forward(store, new NDList(x), training).head();
        NDArray h = x.add(attention.forward(store, new NDList(normed, maskBias), training).head());
        NDArray normed2 = postAttentionNorm.forward(store, new NDList(h), training).head();
        return new NDList(h.add(mlp.forward(store, new NDList(normed2), training).head()));
    }

    /** One decoding step of {@code x [B, n, hidden]} against layer {@code index}'s entry in {@code cache}. */
    NDArray forwardCached(ParameterStore store, NDArray x, NDArray maskBias, KvCache cache, int index) {
        NDArray normed = inputNorm.forward(store, new NDList(x), false).head();
        NDArray h = x.add(attention.attendCached(store, normed, maskBias, cache, index));
        NDArray normed2 = postAttentionNorm.forward(store, new NDList(h), false).head();
        return h.add(mlp.forward(store, new NDList(normed2), false).head());
    }
}
