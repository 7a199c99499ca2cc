package org.iterpref.trainer.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;

/**
 * Base of the decoder's blocks: a DJL {@link AbstractBlock} whose parameters are filled from a
 * Hugging Face checkpoint by name ({@link HfWeights}) rather than initialised, so it never needs
 * DJL's shape inference; {@link #getOutputShapes} is therefore only a same-shape default.
 */
abstract class HfBlock extends AbstractBlock {

    /** A weight parameter called {@code name} (its HF name's last component), filled on load. */
    protected final Parameter weight(String name) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build());
    }

    /** A bias parameter called {@code name}, filled on load. */
    protected final Parameter bias(String name) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.BIAS).build());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
