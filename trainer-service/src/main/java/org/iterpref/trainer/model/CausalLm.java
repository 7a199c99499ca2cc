package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.iterpref.trainer.checkpoint.ModelConfig;

/**
 * {@code Qwen2ForCausalLM} / {@code LlamaForCausalLM}: the {@code model} stack and an LM head —
 * its own {@code lm_head} child when untied (Llama), else the embedding matrix (Qwen2, tied).
 * Input: {@code input_ids [B, L]} int64 and {@code attention_mask [B, L]}; output: float32
 * logits {@code [B, L, vocab]}.
 */
public final class CausalLm extends HfBlock {

    private final DecoderStack model;
    private final Projection lmHead;
    private final int vocabSize;

    public CausalLm(ModelConfig config) {
        this.vocabSize = config.vocabSize();
        this.model = addChildBlock("model", new DecoderStack(config));
        this.lmHead = config.tieWordEmbeddings() ? null : addChildBlock("lm_head", new Projection(false));
    }

    /** {@code input_ids [B, L]} → logits {@code [B, L, vocab]}. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(vocabSize)};
    }

    /**
     * The final normed hidden states {@code [B, L, hidden]} (what the LM head multiplies), for
     * callers that apply the head themselves a few positions at a time.
     */
    NDArray hidden(ParameterStore store, NDArray ids, NDArray mask, boolean training) {
        return model.forward(store, new NDList(ids, mask), training).head();
    }

    /** The {@code model} stack (embedding, layers, final norm). */
    DecoderStack stack() {
        return model;
    }

    /** The LM head's matrix {@code [vocab, hidden]}: {@code lm_head.weight}, or the embedding when tied. */
    Parameter headWeight() {
        return lmHead != null ? lmHead.weightParameter() : model.embeddingWeight();
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        return head(store, model.forward(store, inputs, training).head(), training);
    }

    /** One KV-cached decoding step (see {@link DecoderStack#forwardCached}): logits {@code [1, n, vocab]}. */
    NDArray forwardCached(ParameterStore store, NDArray ids, KvCache cache) {
        return head(store, model.forwardCached(store, ids, cache), false).head();
    }

    /** The number of decoder layers, for sizing a {@link KvCache}. */
    int layerCount() {
        return model.layerCount();
    }

    /** Logits in float32 whatever the compute type. */
    private NDList head(ParameterStore store, NDArray hidden, boolean training) {
        NDArray logits;
        if (lmHead != null) {
            logits = lmHead.forward(store, new NDList(hidden), training).head();
        } else {
            NDArray embedding = store.getValue(model.embeddingWeight(), hidden.getDevice(), training);
            logits = Linear.linear(hidden, embedding).head();
        }
        return new NDList(logits.toType(DataType.FLOAT32, false));
    }
}
