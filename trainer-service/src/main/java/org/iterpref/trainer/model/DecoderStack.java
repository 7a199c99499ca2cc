package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.iterpref.trainer.checkpoint.ModelConfig;

/**
 * {@code model}: {@code embed_tokens}, {@code layers.0 .. layers.N-1}, final {@code norm}.
 * Input: {@code input_ids [B, L]} int64 and {@code attention_mask [B, L]}; output: the normed
 * final hidden states {@code [B, L, hidden]}.
 */
public final class DecoderStack extends HfBlock {

    private final TokenEmbedding embedTokens;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final RmsNorm norm;
    private final int hiddenSize;

    public DecoderStack(ModelConfig config) {
        this.hiddenSize = config.hiddenSize();
        this.embedTokens = addChildBlock("embed_tokens", new TokenEmbedding());
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(addChildBlock("layers." + i, new DecoderLayer(config)));
        }
        this.norm = addChildBlock("norm", new RmsNorm(config.rmsNormEps()));
    }

    /** The token embedding matrix, for a tied LM head. */
    Parameter embeddingWeight() {
        return embedTokens.weightParameter();
    }

    /** {@code input_ids [B, L]} → hidden states {@code [B, L, hidden]}. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(hiddenSize)};
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray maskBias = AttentionMasks.additive(inputs.get(1));
        NDArray hidden = embedTokens.forward(store, new NDList(ids), training).head();
        for (DecoderLayer layer : layers) {
            hidden = layer.forward(store, new NDList(hidden, maskBias), training).head();
        }
        return norm.forward(store, new NDList(hidden), training);
    }

    /**
     * One decoding step: {@code ids [1, n]} at absolute positions {@code cache.length() ..
     * cache.length()+n-1}, attending the cached prefix; appends to every layer and advances the
     * cache by {@code n}. Output: normed hidden states {@code [1, n, hidden]}. A single new position
     * ({@code n = 1}, every step after the prefill) gets no mask: it attends every cached key.
     */
    NDArray forwardCached(ParameterStore store, NDArray ids, KvCache cache) {
        if (cache.layers() != layers.size()) {
            throw new IllegalArgumentException("cache has " + cache.layers() + " layers, model " + layers.size());
        }
        long n = ids.getShape().get(1);
        // One new position may attend every cached key: its mask would be all zeros, so none is made.
        NDArray maskBias = n == 1 ? null : AttentionMasks.causalAt(ids.getManager(), n, cache.length() + n);
        NDArray hidden = embedTokens.forward(store, new NDList(ids), false).head();
        for (int i = 0; i < layers.size(); i++) {
            hidden = layers.get(i).forwardCached(store, hidden, maskBias, cache, i);
        }
        cache.advance(Math.toIntExact(n));
        return norm.forward(store, new NDList(hidden), false).head();
    }

    /** {@code embed_tokens} alone: ids {@code [B, L]} → {@code [B, L, hidden]}. */
    NDArray embed(ParameterStore store, NDArray ids, boolean training) {
        return embedTokens.forward(store, new NDList(ids), training).head();
    }

    /** Layer {@code index} alone, under an additive mask from {@link AttentionMasks#additive}. */
    NDArray layer(ParameterStore store, int index, NDArray hidden, NDArray maskBias, boolean training) {
        return layers.get(index).forward(store, new NDList(hidden, maskBias), training).head();
    }

    /** The final {@code norm} alone. */
    NDArray finalNorm(ParameterStore store, NDArray hidden, boolean training) {
        return norm.forward(store, new NDList(hidden), training).head();
    }

    /** The number of decoder layers. */
    int layerCount() {
        return layers.size();
    }
}
