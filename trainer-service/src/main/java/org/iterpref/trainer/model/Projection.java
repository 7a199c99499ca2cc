package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** {@code nn.Linear}: {@code y = x Wᵀ (+ b)} with {@code weight [out, in]} and optional {@code bias [out]}. */
public final class Projection extends HfBlock {

    private final Parameter weight;
    private final Parameter bias;

    /** A projection with a {@code weight}, and a {@code bias} when {@code withBias}. */
    public Projection(boolean withBias) {
        this.weight = weight("weight");
        this.bias = withBias ? bias("bias") : null;
    }

    /** The weight {@code [out, in]}. */
    Parameter weightParameter() {
        return weight;
    }

    /** {@code [..., in]} → {@code [..., out]}, {@code out} read from the filled weight. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(weight.getArray().getShape().get(0))};
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : store.getValue(bias, x.getDevice(), training);
        return Linear.linear(x, w, b);
    }
}
