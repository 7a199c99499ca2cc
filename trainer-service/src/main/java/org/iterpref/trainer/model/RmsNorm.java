package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
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
        // in float32 whatever the compute type, as transformers does, then back before the weight
        NDArray x32 = x.toType(DataType.FLOAT32, false);
        NDArray rms = x32.square().mean(new int[] {-1}, true).add(eps).sqrt();
        return new NDList(x32.div(rms).toType(x.getDataType(), false).mul(w));
    }
}
