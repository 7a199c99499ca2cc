package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** {@code embed_tokens}: ids {@code [B, L]} int64 → {@code [B, L, hidden]} rows of {@code weight [vocab, hidden]}. */
public final class TokenEmbedding extends HfBlock {

    private final Parameter weight;

    public TokenEmbedding() {
        this.weight = weight("weight");
    }

    /** The embedding matrix, which a tied LM head reuses. */
    Parameter weightParameter() {
        return weight;
    }

    /** {@code [B, L]} → {@code [B, L, hidden]}, {@code hidden} read from the filled weight. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(weight.getArray().getShape().get(1))};
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray ids = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, ids.getDevice(), training);
        return Embedding.embedding(ids, w, SparseFormat.DENSE);
    }
}
