package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient checkpointing of the decoder stack, layer by layer: the forward pass runs without
 * recording and keeps only each layer's input ({@code [B, L, hidden]}); the backward pass walks the
 * layers from the top, recomputing one layer's forward with recording from its saved input and
 * back-propagating the gradient that reached its output ({@code Σ out·G}, whose gradient is G), which
 * yields that layer's weight gradients and the gradient at its input for the layer below. Memory for
 * activations is then linear in the sequence length (the inputs) plus one layer's full graph at a
 * time, instead of every layer's graph — attention scores included, which grow with its square —
 * for about one more forward pass of compute.
 */
final class CheckpointedStack {

    private final DecoderStack stack;
    private final ParameterStore store;
    private final NDManager scope;
    private final NDArray ids;
    private final NDArray maskBias;
    private final List<NDArray> layerInputs = new ArrayList<>();
    private final NDArray top;

    /** Runs the layers without recording; {@link #normed()} is then the only recorded part. */
    CheckpointedStack(DecoderStack stack, ParameterStore store, NDManager scope, NDArray ids, NDArray mask) {
        this.stack = stack;
        this.store = store;
        this.scope = scope;
        this.ids = ids;
        this.maskBias = AttentionMasks.additive(mask);
        NDArray hidden;
        try (Autograd.NoGrad ignored = Autograd.noGrad()) {
            hidden = stack.embed(store, ids, false);
            for (int i = 0; i < stack.layerCount(); i++) {
                layerInputs.add(hidden);
                try (NDManager layerScope = scope.newSubManager()) {
                    NDArray input = hidden.duplicate();
                    input.attach(layerScope);
                    hidden = stack.layer(store, i, input, maskBias, false);
                    hidden.attach(scope);
                }
            }
        }
        this.top = leaf(hidden);
    }

    /** The final norm applied to the top layer's output, recorded (the head's input). */
    NDArray normed() {
        return stack.finalNorm(store, top, true);
    }

    /**
     * After the head's backward has reached {@link #normed()}: back-propagates through every layer
     * (recomputed one at a time) and the embedding, accumulating every weight's gradient.
     */
    void backward(GradientCollector collector) {
        NDArray gradient = gradientOf(top);
        for (int i = stack.layerCount() - 1; i >= 0; i--) {
            try (NDManager layerScope = scope.newSubManager()) {
                NDArray input = leaf(layerInputs.get(i));
                input.attach(layerScope);
                gradient.attach(layerScope);
                NDArray output = stack.layer(store, i, input, maskBias, true);
                collector.backward(output.mul(gradient).sum());
                gradient = gradientOf(input);
                gradient.attach(scope);
            }
        }
        try (NDManager embedScope = scope.newSubManager()) {
            NDArray input = ids.duplicate();
            input.attach(embedScope);
            gradient.attach(embedScope);
            collector.backward(stack.embed(store, input, true).mul(gradient).sum());
        }
    }

    /** A detached copy of {@code array} that records gradients of its own (a leaf). */
    private NDArray leaf(NDArray array) {
        NDArray leaf = array.stopGradient().duplicate();
        leaf.setRequiresGradient(true);
        return leaf;
    }

    /** A detached copy of the gradient accumulated in {@code leaf}. */
    private static NDArray gradientOf(NDArray leaf) {
        NDArray handle = Autograd.accumulatedGradient(leaf)
                .orElseThrow(() -> new IllegalStateException("no gradient reached a checkpointed layer's output"));
        NDArray copy = handle.duplicate();
        handle.close();
        return copy;
    }
}
