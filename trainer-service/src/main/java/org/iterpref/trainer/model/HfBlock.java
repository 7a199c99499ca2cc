package org.iterpref.trainer.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/**
 * Base of the decoder's blocks: a DJL {@link AbstractBlock} whose parameters are filled by name,
 * from a Hugging Face checkpoint ({@link HfWeights}) or with fresh random values ({@link
 * RandomWeights}), rather than by DJL's shape inference. DJL's {@link #initialize} still works on
 * a filled tree: it visits every child (so it does not throw for blocks with children) and marks
 * every parameter as needing gradients, which is what training asks of it. Blocks that keep the
 * shape of their input inherit {@link #getOutputShapes}; the others override it.
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

    /**
     * The parameters are already filled, so a child's input shapes do not matter to it: each child
     * gets this block's, and only marks its parameters for gradients.
     */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block child : getChildren().values()) {
            child.initialize(manager, dataType, inputShapes);
        }
    }

    /** The first input's shape (hidden states in, hidden states out). */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
