package org.iterpref.trainer.checkpoint;

import java.util.List;

/**
 * A model's parameters under their Hugging Face names, each produced as float32 on the Java heap
 * only when asked for, so a writer can stream them one at a time ({@link HfCheckpointWriter}).
 */
public interface NamedWeights {

    /** Every parameter's HF name and shape. */
    List<ParameterSpec> parameters();

    /** Parameter {@code name}'s values as float32, row-major; a fresh array the caller owns. */
    float[] readFloat32(String name);
}
