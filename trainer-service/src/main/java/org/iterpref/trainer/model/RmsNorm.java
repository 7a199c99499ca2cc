package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** RMSNorm in float32: {@code weight · x / sqrt(mean(x², last axis) + eps)}. */
public final class RmsNorm extends HfBlock {

    private final Parameter weight;
    private final float eps;

    public RmsNorm(double eps) {
        this.weight = weight("weight");
        this.eps = (float) eps;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray rms = x.square().mean(new int[] {-1}, true).add(eps).sqrt();
        return new NDList(x.div(rms).mul(w));
    }
}
