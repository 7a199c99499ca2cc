package org.iterpref.trainer.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters of a block tree by Hugging Face name: a parameter's name is the path of child
 * names down to it joined with dots ({@code model.layers.0.self_attn.q_proj.weight}). DJL prefixes
 * child names with their position ({@code "01self_attn"}); that prefix is dropped.
 */
final class HfParameters {

    private HfParameters() {
    }

    /** Every parameter under {@code root}, in block order (checkpoint order), by HF name. */
    static Map<String, Parameter> named(Block root) {
        Map<String, Parameter> named = new LinkedHashMap<>();
        collect(root, "", named);
        return named;
    }

    private static void collect(Block block, String prefix, Map<String, Parameter> named) {
        for (Pair<String, Parameter> entry : block.getDirectParameters()) {
            named.put(prefix + entry.getKey(), entry.getValue());
        }
        int position = 0;
        for (Pair<String, Block> child : block.getChildren()) {
            position++;
            collect(child.getValue(), prefix + hfName(child.getKey(), position) + ".", named);
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
