package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** {@code mlp}: {@code down_proj(silu(gate_proj(x)) · up_proj(x))}, no biases. */
public final class SwiGluMlp extends HfBlock {

    private final Projection gateProj;
    private final Projection upProj;
    private final Projection downProj;

    public SwiGluMlp() {
        this.gateProj = addChildBlock("gate_proj", new Projection(false));
        this.upProj = addChildBlock("up_proj", new Projection(false));
        this.downProj = addChildBlock("down_proj", new Projection(false));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray gate = gateProj.forward(store, inputs, training).head();
        NDArray up = upProj.forward(store, inputs, training).head();
        NDArray activated = gate.mul(Activation.sigmoid(gate)).mul(up);
        return downProj.forward(store, new NDList(activated), training);
    }
}
