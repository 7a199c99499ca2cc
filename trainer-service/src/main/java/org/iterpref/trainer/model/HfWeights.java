package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.iterpref.trainer.checkpoint.Checkpoint;

/** Fills a block tree from a Hugging Face checkpoint by name ({@link HfParameters}). */
final class HfWeights {

    private HfWeights() {
    }

    /**
     * Loads every parameter of {@code root} as float32 into {@code manager}.
     *
     * @return the HF names loaded
     */
    static Set<String> load(Block root, Checkpoint checkpoint, NDManager manager) {
        return load(root, checkpoint, manager, DataType.FLOAT32);
    }

    /** As {@link #load(Block, Checkpoint, NDManager)}, each tensor converted to {@code dtype} on the manager's device. */
    static Set<String> load(Block root, Checkpoint checkpoint, NDManager manager, DataType dtype) {
        Set<String> loaded = new LinkedHashSet<>();
        for (Map.Entry<String, Parameter> entry : HfParameters.named(root).entrySet()) {
            String name = entry.getKey();
            Shape shape = new Shape(checkpoint.info(name).shape());
            NDArray array = owned(manager.create(checkpoint.readFloat32(name), shape), dtype);
            entry.getValue().setArray(array);
            loaded.add(name);
        }
        return loaded;
    }

    /**
     * {@code javaBacked} converted to {@code dtype} as a tensor PyTorch owns, the Java buffer released:
     * weights then hold no JVM direct memory (whose limit is the heap's size by default, far below a
     * model's), and autograd never meets a tensor whose memory the JVM may free (see {@link Autograd}).
     */
    static NDArray owned(NDArray javaBacked, DataType dtype) {
        try (javaBacked) {
            return javaBacked.getDataType() == dtype ? javaBacked.duplicate() : javaBacked.toType(dtype, false);
        }
    }
}
