package org.iterpref.trainer.checkpoint;

import java.util.Arrays;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/** The parts of reading a {@code config.json} that need more than one field or a rule. */
final class ConfigChecks {

    private ConfigChecks() {
    }

    /** {@code architectures[0]}, or when that list is absent, {@code model_type}. */
    static Architecture architecture(ConfigFields fields) {
        JsonNode list = fields.node("architectures");
        if (list == null) {
            String modelType = fields.string("model_type", null);
            if (modelType == null) {
                throw fields.error("architectures", "is missing (and so is model_type)");
            }
            return byModelType(fields, modelType);
        }
        if (!list.isArray() || list.isEmpty() || !list.get(0).isString()) {
            throw fields.error("architectures", "must be a non-empty list of names, found " + list);
        }
        String name = list.get(0).stringValue();
        return Architecture.fromHfName(name).orElseThrow(() -> fields.error("architectures",
                "unsupported architecture '" + name + "' (supported: " + supported() + ")"));
    }

    private static Architecture byModelType(ConfigFields fields, String modelType) {
        for (Architecture a : Architecture.values()) {
            if (a.modelType().equals(modelType)) {
                return a;
            }
        }
        throw fields.error("model_type", "unsupported model type '" + modelType + "' (supported: " + supported() + ")");
    }

    private static String supported() {
        return Arrays.stream(Architecture.values()).map(Architecture::hfName).collect(Collectors.joining(", "));
    }

    /**
     * Refuses configs whose numbers the decoder would get wrong by ignoring a field (rope scaling is
     * checked where it is read, {@link RopeFields}).
     */
    static void rejectUnsupportedFeatures(ConfigFields fields, Architecture architecture) {
        String activation = fields.string("hidden_act", "silu");
        if (!activation.equals("silu")) {
            throw fields.error("hidden_act", "unsupported activation '" + activation + "' (supported: silu)");
        }
        // Qwen2.5 configs carry sliding_window and max_window_layers beside use_sliding_window false;
        // transformers then attends fully, so those two fields are ignored here too.
        if (architecture == Architecture.QWEN2 && fields.bool("use_sliding_window", false)) {
            throw fields.error("use_sliding_window", "is true, but sliding window attention (sliding_window, "
                    + "max_window_layers) is not supported; only full attention is");
        }
        if (architecture == Architecture.LLAMA) {
            for (String key : new String[] {"attention_bias", "mlp_bias"}) {
                if (fields.bool(key, false)) {
                    throw fields.error(key, "biases in Llama projections are not supported");
                }
            }
        }
    }

    /** {@code head_dim} when given, else hidden / heads, which must then divide exactly. */
    static int headDim(ConfigFields fields, int hidden, int heads) {
        if (fields.node("head_dim") != null) {
            return fields.positiveInt("head_dim", 0);
        }
        if (hidden % heads != 0) {
            throw fields.error("num_attention_heads", heads + " does not divide hidden_size " + hidden
                    + " and no head_dim is given");
        }
        return hidden / heads;
    }
}
