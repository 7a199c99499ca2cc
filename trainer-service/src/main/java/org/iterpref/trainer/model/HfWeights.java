package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.iterpref.trainer.checkpoint.Checkpoint;

/**
 * Fills a block tree from a Hugging Face checkpoint by name, and names its parameters for writing
 * one ({@link BlockWeights}): a parameter's name is the path of child names down to it joined with
 * dots ({@code model.layers.0.self_attn.q_proj.weight}). DJL prefixes child names with their
 * position ({@code "01self_attn"}); that prefix is dropped.
 */
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
        Map<String, Parameter> parameters = byName(root);
        parameters.forEach((name, parameter) -> {
            Shape shape = new Shape(checkpoint.info(name).shape());
            NDArray array = manager.create(checkpoint.readFloat32(name), shape);
            if (dtype != DataType.FLOAT32) {
                NDArray converted = array.toType(dtype, false);
                array.close();
                array = converted;
            }
            parameter.setArray(array);
        });
        return new LinkedHashSet<>(parameters.keySet());
    }

    /** Every parameter of {@code root} by HF name, in block-tree order (a tied LM head has none of its own). */
    static Map<String, Parameter> byName(Block root) {
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        collect(root, "", parameters);
        return parameters;
    }

    private static void collect(Block block, String prefix, Map<String, Parameter> parameters) {
        for (Pair<String, Parameter> entry : block.getDirectParameters()) {
            parameters.put(prefix + entry.getKey(), entry.getValue());
        }
        int position = 0;
        for (Pair<String, Block> child : block.getChildren()) {
            position++;
            collect(child.getValue(), prefix + hfName(child.getKey(), position) + ".", parameters);
        }
    }

    /** {@code ("01self_attn", 1)} → {@code "self_attn"}: drops the {@code %02d} position DJL prepends. */
    static String hfName(String djlChildName, int position) {
        String number = String.format(Locale.ROOT, "%02d", position);
        if (!djlChildName.startsWith(number)) {
            throw new IllegalStateException("child '" + djlChildName + "' does not start with its position " + number);
        }
        return djlChildName.substring(number.length());
    }
}
